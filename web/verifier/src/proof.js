// The eddsa-jcs-2022 Data Integrity proof (W3C vc-di-eddsa), verified step by step as
// credentials/_proof.py verifies it, with the same result codes.

import { ed25519Verify, sha256 } from './crypto.js';
import { base58Decode, concatBytes } from './encoding.js';
import { CanonicalizationError, canonicalBytes, canonicalizeAt } from './jcs.js';
import { copyWithout, describe, get, has, isObject, moveValue } from './json.js';
import { isXsdDatetime } from './time.js';

export const PROOF_TYPE = 'DataIntegrityProof';
export const CRYPTOSUITE = 'eddsa-jcs-2022';
const BASE58BTC = /^z[1-9A-HJ-NP-Za-km-z]{1,120}$/;

const result = (ok, code, message, vm = null, created = null) => ({ ok, code, message, verificationMethod: vm, created });

function brief(value) {
  const text = describe(value);
  return text.length <= 80 ? text : text.slice(0, 77) + '...';
}

/** The document's single proof object, or null. */
export function proofOf(secured) {
  const proof = get(secured, 'proof');
  return isObject(proof) ? proof : null;
}

export function verificationMethodOf(secured) {
  const vm = get(proofOf(secured), 'verificationMethod');
  return typeof vm === 'string' ? vm : null;
}

function asContextList(value) {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' || isObject(value)) return [value];
  return null;
}

function contextStartsWith(documentContext, proofContext) {
  const doc = asContextList(documentContext);
  const prf = asContextList(proofContext);
  if (doc === null || prf === null || prf.length > doc.length) return false;
  return prf.every((_, i) => canonicalizeAt(prf, i) === canonicalizeAt(doc, i));
}

function decodeProofValue(value) {
  if (typeof value !== 'string' || !BASE58BTC.test(value)) {
    return [null, "proofValue must be multibase base58btc ('z…')"];
  }
  const raw = base58Decode(value.slice(1));
  if (raw.length !== 64) return [null, `proofValue must hold 64 bytes, found ${raw.length}`];
  return [raw, null];
}

/**
 * Check the proof of `secured` under `publicKey` (a keys.PublicKey). Never throws for any input.
 * Result: {ok, code, message, verificationMethod, created}.
 */
export async function verifyProof(secured, publicKey, expectedPurpose = 'assertionMethod') {
  if (!isObject(secured)) return result(false, 'PROOF_MALFORMED', 'the secured document is not a JSON object');
  if (!has(secured, 'proof')) return result(false, 'PROOF_MISSING', 'the document has no proof');
  const proof = secured.proof;
  if (Array.isArray(proof)) return result(false, 'PROOF_MALFORMED', 'proof sets (several proofs) are not supported');
  if (!isObject(proof)) return result(false, 'PROOF_MALFORMED', 'proof is not a JSON object');

  let vm = get(proof, 'verificationMethod');
  vm = typeof vm === 'string' ? vm : null;
  let created = get(proof, 'created');
  created = typeof created === 'string' ? created : null;
  const fail = (code, message) => result(false, code, message, vm, created);

  if (get(proof, 'type') !== PROOF_TYPE || get(proof, 'cryptosuite') !== CRYPTOSUITE) {
    return fail(
      'PROOF_WRONG_SUITE',
      `expected type ${PROOF_TYPE} with cryptosuite ${CRYPTOSUITE}, found type ${brief(get(proof, 'type'))} with cryptosuite ${brief(get(proof, 'cryptosuite'))}`,
    );
  }
  const [signature, problem] = decodeProofValue(get(proof, 'proofValue'));
  if (problem) return fail('PROOF_MALFORMED', problem);
  if (vm === null) return fail('PROOF_MALFORMED', 'proof verificationMethod is missing or not a string');
  if (has(proof, 'created') && !isXsdDatetime(proof.created)) {
    return fail('PROOF_MALFORMED', 'proof created is not an XML Schema dateTime');
  }
  const purpose = get(proof, 'proofPurpose');
  if (typeof purpose !== 'string') return fail('PROOF_MALFORMED', 'proof proofPurpose is missing or not a string');
  if (vm !== publicKey.verificationMethod) {
    return fail('PROOF_KEY_MISMATCH', `proof names verification method ${brief(vm)}, not the given key ${publicKey.verificationMethod}`);
  }
  if (purpose !== expectedPurpose) {
    return fail('PROOF_WRONG_PURPOSE', `proof purpose is ${brief(purpose)}, expected '${expectedPurpose}'`);
  }

  const options = copyWithout(proof, 'proofValue');
  const unsecured = copyWithout(secured, 'proof');
  let data;
  try {
    if (has(options, '@context')) {
      if (!contextStartsWith(get(secured, '@context'), options['@context'])) {
        return fail('PROOF_CONTEXT_MISMATCH', "the document's @context does not start with the proof's @context");
      }
      moveValue(unsecured, '@context', options);
    }
    // Proof Configuration (§3.3.5) re-checks type, suite and created; all were checked above.
    const [configHash, documentHash] = await Promise.all([sha256(canonicalBytes(options)), sha256(canonicalBytes(unsecured))]);
    data = concatBytes(configHash, documentHash);
  } catch (error) {
    if (error instanceof CanonicalizationError) return fail('PROOF_MALFORMED', `cannot canonicalise: ${error.message}`);
    throw error;
  }
  if (!(await ed25519Verify(publicKey.raw, data, signature))) {
    return fail('PROOF_SIGNATURE_INVALID', 'the signature does not match the document');
  }
  return result(true, 'PROOF_OK', 'proof verified', vm, created);
}
