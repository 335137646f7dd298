// A continuing-education record checked against the pinned root alone, as
// credentials/record_verification.py checks it (same order, same codes; tests/web/
// test_differential.py runs both on the same records): the chain the record carries from the
// root to its signer and the proof first, then the holder binding when a card number is given.
// No trust bundle is needed: the registry, not an institution, signs a record.

import { ChainError, credentialSigner } from './rootchain.js';
import { nowUs } from './time.js';
import { holderBinding } from './verifier.js';

export { isCeRecord } from './types.js';

const NOT_EVALUATED = "not evaluated: the record's signature does not hold";

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
