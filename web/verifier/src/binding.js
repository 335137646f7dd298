// Holder binding: recompute the Argon2id commitment to the holder's ID number, with the limits
// and codes of credentials/binding.py. Argon2id runs in WebAssembly (hash-wasm); libsodium's
// opslimit is Argon2's t, memlimit / 1024 its m in KiB, with one lane and version 0x13.

import { argon2id } from 'hash-wasm';
import { base64urlDecode, base64urlEncode, bytesEqual } from './encoding.js';
import { IdNumberError, normaliseIdNumber } from './idnumber.js';
import { isObject, isPyInt } from './json.js';

const TYPE = 'Argon2idCommitment';
const ALGORITHM = 'argon2id';
const VERSION = 19;
const SALT_BYTES = 16;
const KIB = 1024;
const MIB = 1024 * 1024;
const MIN_OPSLIMIT = 1;
const MAX_OPSLIMIT = 10;
const MIN_MEMLIMIT = 8 * KIB;
const MAX_MEMLIMIT = 256 * MIB;
const MAX_WORK = 1024 * MIB;
const FIELDS = ['algorithm', 'digest', 'memlimit', 'opslimit', 'outputLength', 'parallelism', 'salt', 'type', 'version'];
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const check = (ok, code, message) => ({ ok, code, message });

function costProblem(opslimit, memlimit) {
  if (!(opslimit >= MIN_OPSLIMIT && opslimit <= MAX_OPSLIMIT)) return `opslimit must be ${MIN_OPSLIMIT}–${MAX_OPSLIMIT}`;
  if (!(memlimit >= MIN_MEMLIMIT && memlimit <= MAX_MEMLIMIT)) return `memlimit must be ${MIN_MEMLIMIT} bytes – ${MAX_MEMLIMIT / MIB} MiB`;
  if (memlimit % KIB) return 'memlimit must be a whole number of KiB';
  if (opslimit * memlimit > MAX_WORK) return `opslimit × memlimit must not exceed ${MAX_WORK / MIB} MiB-passes`;
  return null;
}

/** Strict unpadded base64url: one spelling per byte string, else null. */
function b64(value) {
  if (typeof value !== 'string' || [...value].length > 200 || !BASE64URL.test(value)) return null;
  try {
    const data = base64urlDecode(value);
    return base64urlEncode(data) === value ? data : null;
  } catch {
    return null;
  }
}

function parse(binding) {
  const malformed = (m) => check(false, 'BINDING_MALFORMED', m);
  const unsupported = (m) => check(false, 'BINDING_UNSUPPORTED', m);
  if (!isObject(binding)) return malformed('holder binding is not a JSON object');
  if (binding.type !== TYPE) return unsupported(`holder binding type must be ${TYPE}`);
  const keys = Object.keys(binding).sort();
  if (keys.length !== FIELDS.length || keys.some((k, i) => k !== FIELDS[i])) {
    return malformed(`holder binding must have exactly the fields ${FIELDS.join(', ')}`);
  }
  if (binding.algorithm !== ALGORITHM) return unsupported(`holder binding algorithm must be ${ALGORITHM}`);
  if (!(isPyInt(binding, 'version') && binding.version === VERSION) || !(isPyInt(binding, 'parallelism') && binding.parallelism === 1)) {
    return unsupported(`only Argon2 version ${VERSION} with parallelism 1 is supported`);
  }
  if (!isPyInt(binding, 'opslimit') || !isPyInt(binding, 'memlimit') || !isPyInt(binding, 'outputLength')) {
    return malformed('opslimit, memlimit and outputLength must be integers');
  }
  const { opslimit, memlimit, outputLength } = binding;
  if (!(outputLength >= 16 && outputLength <= 64)) return unsupported('outputLength must be 16–64 bytes');
  const problem = costProblem(opslimit, memlimit);
  if (problem) return check(false, 'BINDING_COST_REFUSED', problem);
  const salt = b64(binding.salt);
  if (salt === null || salt.length !== SALT_BYTES) return malformed(`salt must be ${SALT_BYTES} bytes in unpadded base64url`);
  const digest = b64(binding.digest);
  if (digest === null || digest.length !== outputLength) return malformed('digest must be outputLength bytes in unpadded base64url');
  return { salt, digest, opslimit, memlimit };
}

/** Does `idNumber` open the commitment? {ok, code, message}; never throws, never echoes it. */
export async function checkBinding(binding, idNumber) {
  const parsed = parse(binding);
  if (parsed.code) return parsed;
  let normalised;
  try {
    normalised = normaliseIdNumber(idNumber);
  } catch (error) {
    if (error instanceof IdNumberError) return check(false, 'BINDING_CARD_INVALID', `card number not valid: ${error.message}`);
    throw error;
  }
  let computed;
  try {
    computed = await argon2id({
      password: new TextEncoder().encode(normalised),
      salt: parsed.salt,
      parallelism: 1,
      iterations: parsed.opslimit,
      memorySize: parsed.memlimit / KIB,
      hashLength: parsed.digest.length,
      outputType: 'binary',
    });
  } catch {
    return check(false, 'BINDING_UNSUPPORTED', 'Argon2id could not be computed');
  }
  if (bytesEqual(computed, parsed.digest)) return check(true, 'BINDING_OK', "the card number matches the credential's holder");
  return check(false, 'BINDING_MISMATCH', "the card number does not match the credential's holder");
}
