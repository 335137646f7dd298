// The certificate's JSON Schema (the very file the Python verifier uses, bundled at build time)
// plus the rules a schema cannot state, as credentials/certificate.py checks them.

import certificateSchema from '../../../credentials/schemas/certificate.schema.json' with { type: 'json' };
import { mod112Check } from './idnumber.js';
import { CanonicalizationError, canonicalize } from './jcs.js';
import { FLOAT, numberMark } from './json.js';
import { compileSchema } from './schema.js';

const validateSchema = compileSchema(certificateSchema);
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ID_PREFIX = 'urn:dte:certificate:';
const ISSUER_PREFIX = 'urn:uscc:';

export function usccCheck(body17) {
  const total = [...body17].reduce((sum, c, i) => sum + USCC_CHARS.indexOf(c) * USCC_WEIGHTS[i], 0);
  return USCC_CHARS[(31 - (total % 31)) % 31];
}

function semanticProblems(doc) {
  const problems = [];
  const cert = doc.credentialSubject.certificate;
  const number = cert.number;
  if (doc.id !== ID_PREFIX + number) problems.push({ path: '/id', message: 'id must be urn:dte:certificate: followed by the number' });
  if (mod112Check(number.slice(1, 18)) !== number[18]) {
    problems.push({ path: '/credentialSubject/certificate/number', message: 'certificate number check character wrong' });
  }
  // Python compares with str(code), and str(1.0) is "1.0": a level written 1.0 never matches.
  const levelText = String(cert.level.code) + (numberMark(cert.level, 'code') === FLOAT ? '.0' : '');
  if (number[9] !== levelText) {
    problems.push({ path: '/credentialSubject/certificate/level', message: 'level does not match position 10 of the certificate number' });
  }
  if (number.slice(10, 12) !== cert.field) {
    problems.push({ path: '/credentialSubject/certificate/field', message: 'field does not match positions 11-12 of the certificate number' });
  }
  const uscc = doc.issuer.id.slice(ISSUER_PREFIX.length);
  if (usccCheck(uscc.slice(0, 17)) !== uscc[17]) {
    problems.push({ path: '/issuer/id', message: 'unified social credit code check character wrong' });
  }
  const status = doc.credentialStatus;
  if (status.id !== `${status.statusListCredential}#${status.statusListIndex}`) {
    problems.push({ path: '/credentialStatus/id', message: 'id must be statusListCredential#statusListIndex' });
  }
  return problems;
}

/** Every problem ({path, message}); empty when the document is a valid certificate. */
export function validateCertificate(document) {
  try {
    canonicalize(document);
  } catch (error) {
    if (error instanceof CanonicalizationError) return [{ path: '', message: `not a JSON document: ${error.message}` }];
    throw error;
  }
  const problems = validateSchema(document);
  return problems.length ? problems : semanticProblems(document);
}
