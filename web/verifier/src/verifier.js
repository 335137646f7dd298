// The offline verifier: the same checks, order, codes and verdict rule as
// credentials/checks.py, so that the page and `registry verify` agree case by case
// (tests/vectors/conformance/ holds the cases both run).
//
// Checks: input, proof, issuer_key, issuer_listed, status, schema, holder_binding, in_log. If the input
// is not a JSON object or the proof fails, every later check is SKIPPED. issuer_listed and
// status also tie the certificate to its issuer: its number carries the issuer's digits and its
// status index lies in the issuer's own range, both as the bundle states them. Status that cannot be
// established is UNKNOWN, never PASS. verifyCredential never throws.

import { checkBinding } from './binding.js';
import { describe } from './describe.js';
import { checkInLog, unwrap } from './inlog.js';
import { validateCertificate } from './certificate.js';
import { KeyFormatError, PublicKey } from './keys.js';
import { FLOAT, get, has, isObject, isPyInt, numberMark } from './json.js';
import { verificationMethodOf, verifyProof } from './proof.js';
import { ENTRY_TYPE, STATUS_PURPOSE } from './statuslist.js';
import { DAY, SECOND, chinaDay, duration, formatDay, formatTimestamp, nowUs, parseTimestamp } from './time.js';

export const DEFAULT_BUNDLE_MAX_AGE = 7n * DAY;
export const CLOCK_SKEW = 5n * 60n * SECOND;
const MAX_INPUT_DEPTH = 64;
const MAX_INPUT_NODES = 1_000_000;
export const CHECK_NAMES = ['input', 'proof', 'issuer_key', 'issuer_listed', 'status', 'schema', 'holder_binding', 'in_log'];
// The checks that may be SKIPPED in a VALID report (no card number, no inclusion proof).
const OPTIONAL = ['holder_binding', 'in_log'];

const PASS = 'PASS';
const FAIL = 'FAIL';
const UNKNOWN = 'UNKNOWN';
const SKIPPED = 'SKIPPED';

const check = (name, status, code, message, details = {}) => ({ name, status, code, message, details });
const skipped = (name, message) => check(name, SKIPPED, 'NOT_EVALUATED', message);

function brief(value, limit = 120) {
  const text = String(value);
  return text.length <= limit ? text : text.slice(0, limit - 3) + '...';
}

function jsonProblem(value) {
  if (!isObject(value)) return `expected a JSON object, got ${Array.isArray(value) ? 'list' : value === null ? 'NoneType' : typeof value}`;
  const stack = [[value, 0]];
  let seen = 0;
  while (stack.length) {
    const [item, depth] = stack.pop();
    seen += 1;
    if (seen > MAX_INPUT_NODES) return `more than ${MAX_INPUT_NODES} values: not a credential`;
    if (depth > MAX_INPUT_DEPTH) return `nested deeper than ${MAX_INPUT_DEPTH} levels: not a credential`;
    if (item === null || typeof item === 'boolean' || typeof item === 'string') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return 'contains NaN or an infinity, which JSON cannot express';
      continue;
    }
    if (Array.isArray(item)) {
      for (const child of item) stack.push([child, depth + 1]);
      continue;
    }
    if (isObject(item)) {
      for (const key of Object.keys(item)) stack.push([item[key], depth + 1]);
      continue;
    }
    return `contains a ${typeof item}, which is not a JSON value`;
  }
  return null;
}

function issuerId(doc) {
  let issuer = get(doc, 'issuer');
  if (isObject(issuer)) issuer = get(issuer, 'id');
  return typeof issuer === 'string' ? issuer : null;
}

/** verifier._verdict: one rule from the checks to a word. */
export function verdictOf(checks, mode) {
  const statuses = new Map(checks.map((c) => [c.name, c.status]));
  if ([...statuses.values()].includes(FAIL)) return 'INVALID';
  const unknown = [...statuses].filter(([, s]) => s === UNKNOWN).map(([n]) => n);
  if (unknown.some((n) => n !== 'status' && n !== 'in_log')) return 'UNVERIFIED';
  // Signed with a retired or compromised key, and no log to show it was made before.
  if (unknown.includes('in_log')) return 'UNCONFIRMED';
  if (unknown.length) return 'STATUS_UNKNOWN';
  if (mode !== 'bundle') return statuses.get('proof') === PASS ? 'SIGNATURE_VALID_ISSUER_NOT_CHECKED' : 'UNVERIFIED';
  const mustPass = CHECK_NAMES.filter((n) => !OPTIONAL.includes(n));
  return mustPass.every((n) => statuses.get(n) === PASS) ? 'VALID' : 'UNVERIFIED';
}

class Run {
  constructor(input, bundle, cardNumber, now, bundleMaxAge, requireWitnesses) {
    // A credential file (the envelope) carries the credential and its inclusion proof.
    const [credential, inclusion, envelopeProblem] = unwrap(input);
    Object.assign(this, { credential, inclusion, envelopeProblem, bundle, cardNumber, now, bundleMaxAge, requireWitnesses });
    this.mode = bundle ? 'bundle' : 'none';
  }

  async run() {
    const checks = [await this.guard('input', () => this.checkInput())];
    if (checks[0].status !== PASS) {
      return [...checks, ...CHECK_NAMES.slice(1).map((n) => skipped(n, 'not evaluated: input is not a JSON object'))];
    }
    this.doc = this.credential;
    checks.push(await this.guard('proof', () => this.checkProof()));
    if (checks[1].status === FAIL) return [...checks, ...CHECK_NAMES.slice(2).map((n) => skipped(n, 'not evaluated: signature invalid'))];
    if (checks[1].status !== PASS) {
      return [...checks, ...CHECK_NAMES.slice(2).map((n) => skipped(n, 'not evaluated: the signature could not be checked'))];
    }
    checks.push(await this.guard('issuer_key', () => this.checkIssuerKey()));
    checks.push(await this.guard('issuer_listed', () => this.checkIssuerListed()));
    checks.push(await this.guard('status', () => this.checkStatus(), UNKNOWN));
    checks.push(await this.guard('schema', () => this.checkSchema()));
    checks.push(await this.guard('holder_binding', () => this.checkHolderBinding()));
    checks.push(await this.guard('in_log', () => this.checkInLog()));
    return checks;
  }

  async guard(name, method, onError = FAIL) {
    try {
      return await method();
    } catch (error) {
      // Malformed input reaching a path nobody foresaw: no claim can be made.
      return check(name, onError, 'CHECK_ERROR', `could not be evaluated: ${brief(error?.message ?? error)}`);
    }
  }

  checkInput() {
    if (this.envelopeProblem !== null) return check('input', FAIL, 'ENVELOPE_UNSUPPORTED', this.envelopeProblem);
    const problem = jsonProblem(this.credential);
    if (problem !== null) return check('input', FAIL, 'NOT_A_JSON_OBJECT', problem);
    return check('input', PASS, 'JSON_OBJECT', 'the input is a JSON object');
  }

  async checkProof() {
    if (!this.bundle) {
      return check('proof', UNKNOWN, 'NO_TRUST_ANCHOR', 'neither a trust bundle nor a key was given, so the signature cannot be checked');
    }
    const method = verificationMethodOf(this.doc);
    const details = { verificationMethod: method };
    let publicKey = null;
    let source = 'the key from the trust bundle';
    const known = method !== null ? this.bundle.key(method) : null;
    if (known) publicKey = known.publicKey;
    else if (method !== null) {
      // A did:key names its own key, so the document can still be checked; issuer_key then
      // says that the bundle does not know this key.
      try {
        publicKey = PublicKey.fromVerificationMethod(method);
        source = "the proof's own did:key, which is not in the trust bundle";
      } catch (error) {
        if (!(error instanceof KeyFormatError)) throw error;
        return check('proof', FAIL, 'PROOF_KEY_UNRESOLVED', `the proof's key is not in the bundle and cannot be resolved offline: ${error.message}`, details);
      }
    }
    if (publicKey === null) {
      if (!has(this.doc, 'proof')) return check('proof', FAIL, 'PROOF_MISSING', 'the document has no proof');
      return check('proof', FAIL, 'PROOF_MALFORMED', 'the proof is not a single object with a verificationMethod string', details);
    }
    const result = await verifyProof(this.doc, publicKey);
    details.keySource = source;
    if (result.created !== null) details.created = result.created;
    if (!result.ok) return check('proof', FAIL, result.code, result.message, details);
    return check('proof', PASS, result.code, `signature valid (eddsa-jcs-2022) under ${source}`, details);
  }

  issuanceTime() {
    for (const [source, value] of [
      ['proof.created', get(this.doc, 'proof', 'created')],
      ['validFrom', get(this.doc, 'validFrom')],
    ]) {
      try {
        return [parseTimestamp(value), source];
      } catch {
        // try the next source
      }
    }
    return [null, ''];
  }

  checkIssuerKey() {
    const method = verificationMethodOf(this.doc);
    const known = method !== null ? this.bundle.key(method) : null;
    const details = { verificationMethod: method };
    if (!known) return check('issuer_key', FAIL, 'KEY_NOT_IN_BUNDLE', 'the signing key is not a key of any institution in the trust bundle', details);
    const issuer = issuerId(this.doc);
    Object.assign(details, {
      issuer,
      keyOwner: known.institutionId,
      keyValidFrom: formatTimestamp(known.validFrom),
      keyValidUntil: known.validUntil !== null ? formatTimestamp(known.validUntil) : null,
    });
    if (issuer === null) return check('issuer_key', FAIL, 'ISSUER_MISSING', 'the credential names no issuer', details);
    if (known.institutionId !== issuer) {
      return check('issuer_key', FAIL, 'KEY_NOT_ISSUERS', `the signing key belongs to ${known.institutionId}, not to the issuer ${issuer}`, details);
    }
    const [issued, source] = this.issuanceTime();
    if (issued === null) {
      return check('issuer_key', FAIL, 'NO_ISSUANCE_TIME', 'neither proof.created nor validFrom is a date-time with a time zone', details);
    }
    details.issuedAt = formatTimestamp(issued);
    details.issuedAtSource = source;
    if (issued > this.now + CLOCK_SKEW) {
      return check('issuer_key', FAIL, 'ISSUED_IN_FUTURE', `the credential claims to be signed at ${details.issuedAt}, after now`, details);
    }
    const window = `${details.keyValidFrom} – ${details.keyValidUntil ?? 'now'}`;
    if (issued < known.validFrom) {
      return check('issuer_key', FAIL, 'KEY_NOT_YET_VALID', `signed at ${details.issuedAt}, before the key's window (${window})`, details);
    }
    if (known.validUntil !== null && issued >= known.validUntil) {
      return check('issuer_key', FAIL, 'KEY_RETIRED', `signed at ${details.issuedAt}, after the key was retired (${window})`, details);
    }
    if (known.compromisedAt !== null && issued >= known.compromisedAt) {
      details.keyCompromisedAt = formatTimestamp(known.compromisedAt);
      return check('issuer_key', FAIL, 'KEY_COMPROMISED', `signed at ${details.issuedAt}, after the key was compromised (${details.keyCompromisedAt})`, details);
    }
    const retired = known.validUntil === null ? '' : ' (a retired key, valid for this date)';
    const owner = this.bundle.institution(issuer);
    details.retiredKey = known.validUntil !== null;
    return check(
      'issuer_key',
      PASS,
      'KEY_VALID_AT_ISSUANCE',
      `key of ${owner ? owner.name : issuer} valid when the credential was signed (${window})${retired}`,
      details,
    );
  }

  checkIssuerListed() {
    const issuer = issuerId(this.doc);
    const institution = issuer !== null ? this.bundle.institution(issuer) : null;
    const details = { issuer };
    if (!institution) return check('issuer_listed', FAIL, 'ISSUER_NOT_IN_BUNDLE', 'the issuer is not an institution in the trust bundle', details);
    details.institutionName = institution.name;
    if (institution.kind !== 'EVALUATION') {
      return check(
        'issuer_listed',
        FAIL,
        'ISSUER_NOT_EVALUATION',
        `${institution.name} is a ${institution.kind} institution; only evaluation institutions issue professional technical level certificates`,
        details,
      );
    }
    if (!this.bundle.numbers(institution, get(this.doc, 'credentialSubject', 'certificate', 'number'))) {
      details.numberPrefix = institution.numberPrefix;
      return check(
        'issuer_listed',
        FAIL,
        'NUMBER_NOT_ISSUERS',
        `positions 2-7 of the certificate number are not ${institution.name}'s digits (${institution.numberPrefix ?? 'none'}): the number is another institution's`,
        details,
      );
    }
    const [issued] = this.issuanceTime();
    if (issued === null) return check('issuer_listed', FAIL, 'NO_ISSUANCE_TIME', 'the credential has no usable issuance time', details);
    const day = chinaDay(issued);
    details.issuanceDate = formatDay(day);
    const cert = get(this.doc, 'credentialSubject', 'certificate');
    const occupation = get(cert, 'occupation', 'code');
    const levelHolder = get(cert, 'level');
    const level = get(levelHolder, 'code');
    const levelName = get(levelHolder, 'name');
    let direction = get(cert, 'direction');
    if (typeof occupation !== 'string' || !isObject(levelHolder) || !isPyInt(levelHolder, 'code')) {
      return check('issuer_listed', FAIL, 'CERTIFICATE_FIELDS_MISSING', "the certificate's occupation code or level is missing", details);
    }
    direction = typeof direction === 'string' ? direction : null;
    let what = `occupation ${occupation}, level ${level}`;
    if (typeof levelName === 'string') what += ` (${levelName})`;
    if (direction) what += `, direction ${direction}`;
    Object.assign(details, { occupation, level, direction });
    const periods = institution.listings.filter((p) => p.start <= day && (p.end === null || day <= p.end));
    if (!periods.length) {
      return check('issuer_listed', FAIL, 'NOT_LISTED_ON_DATE', `${institution.name} was not on the directory on ${formatDay(day)} (China time)`, details);
    }
    const matching = periods.filter((p) => this.bundle.scopeMatch(p, occupation, level, direction));
    const period = matching[0] ?? periods[0];
    details.listing = { from: formatDay(period.start), until: period.end !== null ? formatDay(period.end) : null };
    if (!matching.length) {
      return check('issuer_listed', FAIL, 'OUT_OF_SCOPE', `${institution.name} was listed on ${formatDay(day)}, but not for ${what}`, details);
    }
    return check('issuer_listed', PASS, 'LISTED_IN_SCOPE', `${institution.name} was listed on ${formatDay(day)} for ${what}`, details);
  }

  async checkStatus() {
    const age = this.now - this.bundle.issued;
    const details = {
      bundleIssued: formatTimestamp(this.bundle.issued),
      bundleAgeSeconds: Number(age / SECOND),
      bundleSequence: this.bundle.sequence,
    };
    const asOf = `as of the bundle of ${details.bundleIssued} (${duration(age)} old)`;
    const unknown = (code, message) => check('status', UNKNOWN, code, message, details);

    const raw = get(this.doc, 'credentialStatus');
    const entries = Array.isArray(raw) ? raw : raw !== undefined && raw !== null ? [raw] : [];
    const revocation = entries.filter((e) => isObject(e) && get(e, 'statusPurpose') === STATUS_PURPOSE);
    if (!revocation.length) return unknown('NO_STATUS_ENTRY', 'the credential has no revocation status entry');
    if (revocation.length > 1) return unknown('STATUS_AMBIGUOUS', 'the credential has several revocation entries');
    const entry = revocation[0];
    const url = get(entry, 'statusListCredential');
    const indexText = get(entry, 'statusListIndex');
    Object.assign(details, { statusListCredential: url ?? null, statusListIndex: indexText ?? null });
    if (get(entry, 'type') !== ENTRY_TYPE) return unknown('STATUS_TYPE_UNSUPPORTED', `status entry type is not ${ENTRY_TYPE}`);
    if (typeof url !== 'string') return unknown('STATUS_ENTRY_MALFORMED', 'statusListCredential is not a URL');
    if (typeof indexText !== 'string' || !/^[0-9]{1,12}$/.test(indexText)) {
      return unknown('STATUS_ENTRY_MALFORMED', 'statusListIndex is not a non-negative decimal string');
    }
    const index = Number(indexText);
    const issuer = issuerId(this.doc);
    if (issuer === null || !this.bundle.ownsStatus(issuer, url, index)) {
      // Another institution's index: its revocation must not reach, nor hide behind, this one.
      return check('status', FAIL, 'STATUS_INDEX_NOT_ISSUERS', 'the status entry is not in a range the bundle gives the issuer', details);
    }
    let list;
    try {
      list = await this.bundle.statusList(url);
    } catch (error) {
      if (!error.code) throw error;
      return unknown(error.code, `${error.message}; revocation cannot be checked`);
    }
    if (index >= list.length) return unknown('RANGE_ERROR', 'statusListIndex is outside the status list');
    if (list.get(index)) {
      // A revocation is final: an older bundle that already shows it is enough to refuse.
      return check('status', FAIL, 'REVOKED', `the certificate is REVOKED ${asOf}`, details);
    }
    if (age < -CLOCK_SKEW) {
      return unknown('BUNDLE_FROM_FUTURE', `the bundle is dated ${details.bundleIssued}, after now: check the clock`);
    }
    if (age > this.bundleMaxAge) {
      return unknown(
        'BUNDLE_TOO_OLD',
        `not revoked ${asOf}, but that is older than the accepted ${duration(this.bundleMaxAge)}: get a current bundle`,
      );
    }
    const [, listUntil] = this.bundle.statusListValidity(url);
    if (listUntil !== null && this.now >= listUntil) {
      return unknown('STATUS_LIST_EXPIRED', `the status list expired at ${formatTimestamp(listUntil)}: get a current bundle`);
    }
    return check('status', PASS, 'NOT_REVOKED', `not revoked ${asOf}`, details);
  }

  checkSchema() {
    const problems = validateCertificate(this.doc);
    if (problems.length) {
      const first = problems[0];
      return check(
        'schema',
        FAIL,
        'SCHEMA_INVALID',
        `${problems.length} schema problem(s); first at ${first.path || '/'}: ${brief(first.message)}`,
        { problems: problems.slice(0, 20) },
      );
    }
    return check('schema', PASS, 'SCHEMA_VALID', 'matches the certificate schema');
  }

  checkInLog() {
    const method = verificationMethodOf(this.doc);
    const key = method !== null ? this.bundle.key(method) : null;
    return checkInLog(this.bundle, this.doc, key, this.inclusion, this.now, this.requireWitnesses);
  }

  async checkHolderBinding() {
    return holderBinding(this.doc, this.cardNumber);
  }
}

/** The holder_binding check of any credential the registry binds to its holder (a certificate, a
 * continuing-education record), as checks.py's holder_binding: SKIPPED without a card number. */
export async function holderBinding(doc, cardNumber) {
  if (cardNumber === null || cardNumber === undefined) return skipped('holder_binding', 'not evaluated: no card number given');
  const commitment = get(doc, 'credentialSubject', 'holderBinding');
  if (!isObject(commitment)) return check('holder_binding', FAIL, 'NO_HOLDER_BINDING', 'the credential carries no holder binding');
  const result = await checkBinding(commitment, cardNumber);
  return check('holder_binding', result.ok ? PASS : FAIL, result.code, result.message);
}

/**
 * Verify a parsed credential (from json.parseJson or qr.decodeText) against a loaded bundle.
 * The input may be the credential file (envelope) with its inclusion proof.
 * Options: cardNumber (the holder's ID number, or null), now (µs BigInt), bundleMaxAge (µs),
 * requireWitnesses (in_log passes only with that many witness cosignatures).
 */
export async function verifyCredential(
  credential,
  { bundle = null, cardNumber = null, now = nowUs(), bundleMaxAge = DEFAULT_BUNDLE_MAX_AGE, requireWitnesses = 0 } = {},
) {
  let checks;
  try {
    checks = await new Run(credential, bundle, cardNumber, now, bundleMaxAge, requireWitnesses).run();
  } catch (error) {
    // A bug here must not become an exception or, worse, a pass.
    checks = [check('input', UNKNOWN, 'VERIFIER_ERROR', `the verifier failed: ${brief(error?.message ?? error)}`)];
    checks.push(...CHECK_NAMES.slice(1).map((n) => skipped(n, 'not evaluated: verifier error')));
  }
  const mode = bundle ? 'bundle' : 'none';
  const verdict = verdictOf(checks, mode);
  return {
    verdict,
    mode,
    checkedAt: formatTimestamp(now),
    bundle: bundle
      ? { sequence: bundle.sequence, issued: formatTimestamp(bundle.issued), ageSeconds: Number((now - bundle.issued) / SECOND) }
      : null,
    description: describe(unwrap(credential)[0], bundle, verdict === 'VALID'),
    checks,
  };
}

export { FLOAT, numberMark };
