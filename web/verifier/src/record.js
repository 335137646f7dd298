// A continuing-education record checked against the pinned root alone, as
// credentials/record_verification.py checks it (same order, same codes; tests/web/
// test_differential.py runs both on the same records): the chain the record carries from the
// root to its signer and the proof first, then the holder binding when a card number is given.
// No trust bundle is needed: the registry, not an institution, signs a record.

import { CERTIFICATE_TYPE, CE_TYPE } from './describe.js';
import { get, isObject } from './json.js';
import { ChainError, credentialSigner } from './rootchain.js';
import { nowUs } from './time.js';
import { holderBinding } from './verifier.js';

const NOT_EVALUATED = "not evaluated: the record's signature does not hold";

/** Whether `document` says it is a continuing-education record: its `type` lists it, and not the
 * certificate's type too (such a document is checked, and described, as a certificate). */
export function isCeRecord(document) {
  const kinds = isObject(document) ? get(document, 'type') : null;
  return Array.isArray(kinds) && kinds.includes(CE_TYPE) && !kinds.includes(CERTIFICATE_TYPE);
}

/**
 * {valid, code, message, signer, binding} for `credential` against the pinned roots (PublicKey[])
 * at `now` (µs). `code` and `message` name the first reason it is not valid; `signer` is null when
 * the chain or the proof failed, and `binding` (a check) is then SKIPPED. Never throws for a bad
 * record.
 */
export async function verifyRecord(credential, roots, { cardNumber = null, now = nowUs() } = {}) {
  let signer;
  try {
    signer = await credentialSigner(credential, roots, now);
  } catch (error) {
    // A bug here must not become an exception or, worse, a pass (as verifyCredential).
    const [code, message] = error instanceof ChainError ? [error.code, error.message] : ['VERIFIER_ERROR', `the verifier failed: ${error?.message ?? error}`];
    const binding = { name: 'holder_binding', status: 'SKIPPED', code: 'NOT_EVALUATED', message: NOT_EVALUATED, details: {} };
    return { valid: false, code, message, signer: null, binding };
  }
  const binding = await holderBinding(credential, cardNumber);
  if (binding.status === 'FAIL') return { valid: false, code: binding.code, message: binding.message, signer, binding };
  return { valid: true, code: null, message: 'a continuing-education record the registry signed', signer, binding };
}
