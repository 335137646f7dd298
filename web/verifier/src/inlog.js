// The `in_log` check and the credential file (envelope), as credentials/_inlog.py: the same
// order of steps, the same codes. The leaf is credentials/transparency.py certificate_leaf.

import { sha256 } from './crypto.js';
import { toHex } from './encoding.js';
import { canonicalBytes } from './jcs.js';
import { INEXACT, get, has, isObject, isPyInt, numberMark } from './json.js';
import { TransparencyError, leafHash, proofLength, verifyInclusion } from './merkle.js';
import { b64decode, checkpointFromText, verifyCosignatures, verifyNote } from './note.js';

export const ENVELOPE = 'dte-registry/credential-file/v1';
const MAX_INDEX = 2 ** 53 - 1;
const MAX_PROOF = 64;
const NAME = 'in_log';

const check = (status, code, message, details = {}) => ({ name: NAME, status, code, message, details });
const fail = (code, message, details) => check('FAIL', code, message, details);

/** [credential, inclusion (or null), problem (or null)] of what was handed over. */
export function unwrap(value) {
  if (!isObject(value) || !has(value, 'envelope')) return [value, null, null];
  if (value.envelope !== ENVELOPE) return [value, null, `an envelope of an unknown kind (not ${ENVELOPE})`];
  const inclusion = get(value, 'inclusion');
  return [has(value, 'credential') ? value.credential : null, inclusion === undefined || inclusion === null ? null : { value: inclusion }, null];
}

const text = (value) => {
  if (typeof value !== 'string') throw new TypeError('not a string');
  return value;
};

/** The canonical bytes of the certificate.published leaf of a signed certificate. */
export async function certificateLeaf(credential) {
  let record;
  try {
    record = {
      kind: 'certificate.published',
      number: text(get(credential, 'credentialSubject', 'certificate', 'number')),
      issuer: text(get(credential, 'issuer', 'id')),
      verificationMethod: text(get(credential, 'proof', 'verificationMethod')),
      statusListIndex: text(get(credential, 'credentialStatus', 'statusListIndex')),
      credentialDigest: 'sha256:' + toHex(await sha256(canonicalBytes(credential))),
    };
  } catch {
    throw new TransparencyError('LOG_LEAF_UNAVAILABLE', 'the credential lacks a field its log entry is made of');
  }
  return canonicalBytes(record);
}

function unconfirmed(reason, details) {
  const what = reason === 'KEY_COMPROMISED' ? 'compromised' : 'retired';
  return check(
    'UNKNOWN',
    'LOG_CONFIRMATION_REQUIRED',
    `signed with a key that is now ${what}: cannot be confirmed offline — present the certificate file or look it up in the registry`,
    details,
  );
}

const integer = (container, key) =>
  isPyInt(container, key) && numberMark(container, key) !== INEXACT && container[key] >= 0 && container[key] <= MAX_INDEX;

function hash(value) {
  if (typeof value !== 'string' || value.length !== 44) return null;
  try {
    const raw = b64decode(value, 'X', 'x');
    return raw.length === 32 ? raw : null;
  } catch {
    return null;
  }
}

/** [index, size, proof, note] (BigInts for the numbers), or a string saying what is wrong. */
function parse(value) {
  if (!isObject(value)) return 'not an object';
  if (!integer(value, 'leafIndex') || !integer(value, 'treeSize')) return 'leafIndex and treeSize are integers within 0..2**53-1';
  const proof = get(value, 'proof');
  if (!Array.isArray(proof) || proof.length > MAX_PROOF) return `proof is a list of at most ${MAX_PROOF} hashes`;
  const hashes = proof.map(hash);
  if (hashes.some((h) => h === null)) return 'every proof element is a 32-byte hash in standard base64';
  const note = get(value, 'checkpoint');
  if (typeof note !== 'string') return "checkpoint is the signed note's text";
  return [BigInt(value.leafIndex), BigInt(value.treeSize), hashes, note];
}

/** The log key's bound for a retired or compromised key: [code, size or null], or null. */
function logBound(key) {
  if (key.compromisedAt !== null) return ['KEY_COMPROMISED', key.logSizeAtCompromise];
  if (key.validUntil !== null) return ['KEY_USED_AFTER_RETIREMENT', key.logSizeAtRetirement];
  return null;
}

async function checkpointOf(bundle, note, now, witnesses, details) {
  const logs = bundle.logs.filter((log) => log.validFrom <= now && (log.validUntil === null || now < log.validUntil));
  let cp;
  let signers;
  try {
    let body;
    [body, signers] = await verifyNote(note, logs.map((log) => log.key));
    cp = checkpointFromText(body);
  } catch (error) {
    if (!(error instanceof TransparencyError)) throw error;
    return fail('LOG_CHECKPOINT_UNTRUSTED', `the checkpoint is not one of a log the bundle trusts now: ${error.message}`, { ...details, reason: error.code });
  }
  if (!logs.some((log) => signers.includes(log.key) && log.origin === cp.origin)) {
    return fail('LOG_CHECKPOINT_UNTRUSTED', "the checkpoint's origin is not the origin of the log whose key signed it", { ...details, reason: 'LOG_ORIGIN' });
  }
  if (witnesses) {
    let found;
    try {
      found = (await verifyCosignatures(note, bundle.witnesses)).length;
    } catch (error) {
      if (!(error instanceof TransparencyError)) throw error;
      return fail('LOG_COSIGNATURE_INVALID', error.message, details);
    }
    details.witnesses = found;
    if (found < witnesses) return fail('LOG_WITNESSES_MISSING', `${found} valid witness cosignature(s), ${witnesses} required`, details);
  }
  return cp;
}

async function proofCheck(doc, index, size, proof, cp, details) {
  if (size !== cp.size) return fail('LOG_PROOF_INVALID', `treeSize ${size} is not the checkpoint's size ${cp.size}`, details);
  if (index >= size || proof.length !== proofLength(index, size)) {
    return fail('LOG_PROOF_INVALID', `not a proof of entry ${index} in a tree of ${size} (wrong index or length)`, details);
  }
  try {
    await verifyInclusion(await leafHash(await certificateLeaf(doc)), index, size, proof, cp.rootHash);
  } catch (error) {
    if (!(error instanceof TransparencyError)) throw error;
    return fail('LOG_LEAF_MISMATCH', `log entry ${index} is not this credential (the proof leads elsewhere)`, details);
  }
  return null;
}

/** credentials/_inlog.py check_in_log. `key`: the proof's bundle key (or null); now: µs BigInt. */
export async function checkInLog(bundle, doc, key, inclusion, now, witnesses) {
  const bound = key ? logBound(key) : null;
  const details = {};
  if (inclusion === null) {
    if (bound !== null) return unconfirmed(bound[0], details);
    return check('SKIPPED', 'NOT_EVALUATED', 'not evaluated: no inclusion proof');
  }
  const parsed = parse(inclusion.value);
  if (typeof parsed === 'string') return fail('LOG_ENVELOPE_MALFORMED', `the inclusion proof is malformed: ${parsed}`, details);
  const [index, size, proof, note] = parsed;
  Object.assign(details, { leafIndex: Number(index), treeSize: Number(size) });
  const cp = await checkpointOf(bundle, note, now, witnesses, details);
  if (!(cp && cp.rootHash)) return cp;
  details.origin = cp.origin;
  const failed = await proofCheck(doc, index, size, proof, cp, details);
  if (failed !== null) return failed;
  let where = `entry ${index} of ${size} in the log ${cp.origin}`;
  if (bound !== null) {
    const limit = bound[1];
    if (limit === null) return unconfirmed(bound[0], details);
    details.logSizeLimit = limit;
    if (index >= BigInt(limit)) {
      const what = bound[0] === 'KEY_COMPROMISED' ? 'compromised' : 'retired';
      return fail(bound[0], `${where}: logged after its key was ${what} (size ${limit} then)`, details);
    }
    where += ', logged before its key was retired or compromised';
  }
  return check('PASS', 'IN_LOG', `in the registry's public log: ${where}`, details);
}
