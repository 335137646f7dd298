// A detached signature the registry publishes beside a file (the open directory data), checked
// against a pinned root alone, as credentials/detached.py checks it (same rules, same order,
// same codes): the document's type and members, the file's SHA-256, the chain from the pinned
// root to the signing key that the document carries (rootchain.js: bundleKeyCertificate,
// rootRotations; a certificate valid now, since the signature states no time), then the
// Ed25519 signature over the file's exact bytes.

import { toHex } from './encoding.js';
import { ed25519Verify, sha256 } from './crypto.js';
import { get, isObject } from './json.js';
import { PublicKey } from './keys.js';
import { ChainError, bundleSigner, checkWindow } from './rootchain.js';

export const SIGNATURE_TYPE = 'Ed25519DetachedSignature';

export class DetachedSignatureError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// As Python's base64.b64decode(validate=True): the standard alphabet, padded to a multiple of 4.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text) {
  if (!BASE64.test(text)) throw new Error('the signature is not base64');
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function parse(document) {
  try {
    if (!isObject(document) || get(document, 'type') !== SIGNATURE_TYPE) throw new Error(`it is not an ${SIGNATURE_TYPE} object`);
    if (typeof get(document, 'sha256') !== 'string') throw new Error('sha256 is not a string');
    const keyText = get(document, 'publicKeyMultibase');
    const signature = get(document, 'signature');
    if (typeof keyText !== 'string' || typeof signature !== 'string') throw new Error('publicKeyMultibase or signature is not a string');
    return { key: PublicKey.fromMultibase(keyText), raw: decodeBase64(signature) };
  } catch (error) {
    throw new DetachedSignatureError('DETACHED_INVALID', `the signature: ${error.message}`);
  }
}

/** {key, anchor, roots, certificate} of who signed `body` (bytes) for the registry, trusted through a pinned root; throws DetachedSignatureError. `now` in µs. */
export async function verifyDetached(body, document, pinned, now) {
  const { key, raw } = parse(document);
  if (get(document, 'sha256') !== toHex(await sha256(body))) {
    throw new DetachedSignatureError('DETACHED_DIGEST', 'the file is not the one signed (its SHA-256 differs): fetch both again');
  }
  let signer;
  try {
    signer = await bundleSigner(document, key.verificationMethod, pinned);
    if (signer.certificate !== null) checkWindow(signer.certificate, now, now);
  } catch (error) {
    if (error instanceof ChainError) throw new DetachedSignatureError(error.code, error.message);
    throw error;
  }
  if (!(await ed25519Verify(key.raw, body, raw))) throw new DetachedSignatureError('DETACHED_SIGNATURE', 'the signature does not match the file');
  return signer;
}
