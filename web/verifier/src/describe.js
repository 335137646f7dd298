// Whose credential was just checked: the page's mirror of credentials/description.py, rule for
// rule (tests/web/test_differential.py compares the two on every hostile input).
//
// The description says what the credential claims; only a VALID verdict makes it confirmed. The
// issuer's name comes from the trust bundle unless the bundle does not list the issuer (or there
// is no bundle): then it is the credential's own claim, and issuerSource says so. Values are the
// credential's text, untrusted: the page shows them as text nodes only. A run of 15 or more
// digits (an ID number, perhaps) is never shown; a (training) certificate number is.

import { get, isObject, numberMark } from './json.js';
import { CERTIFICATE_TYPE, isCeRecord } from './types.js';

export const FIELD_NAMES = ['holder', 'number', 'occupation', 'direction', 'level', 'year', 'hours', 'trainings', 'issuer'];
export const MAX_CHARS = 200;
export const HIDDEN = '***';
const MAX_TRAININGS = 20;
const CE_ID_PREFIX = 'urn:dte:ce-record:';
// A certificate number (kept) or a run of digits that could be an ID number (hidden).
const DIGIT_RUN = /([ZP][0-9]{17}[0-9X])(?![0-9Xx])|[0-9\uff10-\uff19]{15,}[Xx\uff38\uff58]?/g;

const text = (value) => (typeof value === 'string' && value !== '' ? value : null);
// An integer as JSON wrote it (not 2.0, not beyond 2^53), as Python's `type(x) is int` sees it.
const isInteger = (container, key) => {
  const value = get(container, key);
  return Number.isInteger(value) && numberMark(container, key) === undefined;
};

/** {kind, confirmed, issuerSource, fields: [[name, value], ...]} of a bare credential. */
export function describe(document, bundle, confirmed) {
  let types = get(document, 'type');
  types = Array.isArray(types) ? types : [types];
  const found = { holder: text(get(document, 'credentialSubject', 'name')) };
  let kind = 'credential';
  if (types.includes(CERTIFICATE_TYPE)) {
    kind = 'certificate';
    Object.assign(found, certificate(get(document, 'credentialSubject', 'certificate'), bundle));
  } else if (isCeRecord(document)) {
    kind = 'ce_record';
    Object.assign(found, ceRecord(document));
  }
  const [issuer, source] = issuerOf(document, bundle);
  found.issuer = issuer;
  const fields = FIELD_NAMES.filter((name) => found[name]).map((name) => [name, shown(found[name])]);
  return { kind, confirmed, issuerSource: issuer ? source : null, fields };
}

function certificate(cert, bundle) {
  const code = text(get(cert, 'occupation', 'code'));
  const listed = bundle && code !== null ? bundle.occupationName(code) : null;
  const name = listed ?? text(get(cert, 'occupation', 'name'));
  const level = get(cert, 'level');
  return {
    number: text(get(cert, 'number')),
    occupation: name && code ? `${name} (${code})` : name || code,
    direction: text(get(cert, 'direction')),
    level: isInteger(level, 'code') && [1, 2, 3].includes(level.code) ? String(level.code) : null,
  };
}

function ceRecord(document) {
  const id = text(get(document, 'id'));
  const education = get(document, 'credentialSubject', 'continuingEducation');
  const entries = get(education, 'entries');
  const shownNumbers = (Array.isArray(entries) ? entries : []).map((e) => text(get(e, 'trainingCertificate'))).filter(Boolean).slice(0, MAX_TRAININGS);
  const year = get(education, 'year');
  return {
    number: id && id.startsWith(CE_ID_PREFIX) ? id.slice(CE_ID_PREFIX.length) : null,
    year: isInteger(education, 'year') && year > 0 && year < 10000 ? String(year) : null,
    hours: hours(education, 'totalHours'),
    trainings: shownNumbers.length ? shownNumbers.join(', ') : null,
  };
}

function hours(container, key) {
  // Both languages print these numbers alike (shortest round trip, no exponent).
  const value = get(container, key);
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (isInteger(container, key)) return value >= 0 && value < 1_000_000 ? String(value) : null;
  if (numberMark(container, key) !== 1) return null; // FLOAT only: an inexact integer is neither
  return value === 0 || (value >= 1e-4 && value < 1_000_000) ? String(value) : null;
}

function issuerOf(document, bundle) {
  const issuer = get(document, 'issuer');
  const issuerId = isObject(issuer) ? text(get(issuer, 'id')) : text(issuer);
  if (bundle && issuerId !== null) {
    const institution = bundle.institution(issuerId);
    if (institution) return [institution.name, 'bundle'];
  }
  const claimed = text(get(issuer, 'name')) || issuerId;
  return [claimed, bundle ? 'claim_not_in_bundle' : 'claim_no_bundle'];
}

/** `value` as the page may show it: a run of digits that could be an ID number hidden, at most MAX_CHARS. */
export function shown(value) {
  const kept = value.replace(DIGIT_RUN, (match, number) => number ?? HIDDEN);
  const chars = Array.from(kept);
  return chars.length <= MAX_CHARS ? kept : chars.slice(0, MAX_CHARS - 1).join('') + '…';
}
