// The chain from a pinned root key to the key that signed a trust bundle, as
// credentials/rootchain.py checks it (same rules, same order, same codes): the pinned roots,
// every root a trusted root's DteRootRotation names, and a bundle key a trusted root certified
// (DteBundleKeyCertificate) for a bundle issued inside the certificate's window, while the
// window is still open at verification time (`issued` is written by the bundle key itself).

import { PublicKey } from './keys.js';
import { get, has, isObject } from './json.js';
import { proofOf, verificationMethodOf, verifyProof } from './proof.js';
import { parseTimestamp } from './time.js';

export const CERTIFICATE_TYPE = 'DteBundleKeyCertificate';
export const ROTATION_TYPE = 'DteRootRotation';
const MAX_ROTATIONS = 64;

export class ChainError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function key(value) {
  if (typeof value !== 'string') throw new Error('a key is not a Multikey string');
  return PublicKey.fromMultibase(value);
}

function time(value) {
  if (typeof value !== 'string') throw new Error('a time is not an RFC 3339 date-time');
  return parseTimestamp(value);
}

/** The certificate's fields, without checking its proof; ChainError BUNDLE_CERT_INVALID. */
export function parseCertificate(document) {
  try {
    if (!isObject(document) || get(document, 'type') !== CERTIFICATE_TYPE) throw new Error(`it is not a ${CERTIFICATE_TYPE} object`);
    const rootKey = key(get(document, 'rootKey'));
    const bundleKey = key(get(document, 'bundleKey'));
    const validFrom = time(get(document, 'validFrom'));
    const validUntil = time(get(document, 'validUntil'));
    if (validUntil <= validFrom) throw new Error('its validUntil is not after its validFrom');
    return { rootKey, bundleKey, validFrom, validUntil, document };
  } catch (error) {
    throw new ChainError('BUNDLE_CERT_INVALID', `the bundle key certificate: ${error.message}`);
  }
}

function parseRotation(statement) {
  try {
    if (!isObject(statement) || get(statement, 'type') !== ROTATION_TYPE) throw new Error(`it is not a ${ROTATION_TYPE} object`);
    const old = key(get(statement, 'oldRoot'));
    const fresh = key(get(statement, 'newRoot'));
    time(get(statement, 'issued'));
    return [old, fresh];
  } catch (error) {
    throw new ChainError('BUNDLE_ROTATION_INVALID', `a root rotation: ${error.message}`);
  }
}

/** Map of each trusted root's verification method → {root, anchor}: pinned roots and the roots their rotations name. */
export async function trustedRoots(document, pinned) {
  const roots = new Map(pinned.map((k) => [k.verificationMethod, { root: k, anchor: k }]));
  const statements = has(document, 'rootRotations') ? get(document, 'rootRotations') : [];
  if (!Array.isArray(statements) || statements.length > MAX_ROTATIONS) {
    throw new ChainError('BUNDLE_ROTATION_INVALID', `rootRotations is not a list of at most ${MAX_ROTATIONS}`);
  }
  const parsed = statements.map(parseRotation);
  let pending = parsed.map((_, i) => i);
  while (pending.length) {
    // Passes in document order until nothing more is learnt: a chain may be listed in any order.
    const followed = pending.filter((i) => roots.has(parsed[i][0].verificationMethod));
    if (!followed.length) break;
    for (const i of followed) {
      const [old, fresh] = parsed[i];
      const check = await verifyProof(statements[i], old);
      if (!check.ok) throw new ChainError('BUNDLE_ROTATION_SIGNATURE', `a root rotation is not signed by the old root it names: ${check.message}`);
      if (!roots.has(fresh.verificationMethod)) roots.set(fresh.verificationMethod, { root: fresh, anchor: roots.get(old.verificationMethod).anchor });
    }
    pending = pending.filter((i) => !followed.includes(i));
  }
  return roots;
}

async function certified(document, method, roots) {
  const cert = parseCertificate(get(document, 'bundleKeyCertificate'));
  const root = roots.get(cert.rootKey.verificationMethod);
  if (root === undefined || verificationMethodOf(cert.document) !== cert.rootKey.verificationMethod) {
    throw new ChainError('BUNDLE_CERT_UNTRUSTED_ROOT', 'the bundle key certificate is not signed by a pinned root key or one it rotated to');
  }
  const check = await verifyProof(cert.document, cert.rootKey);
  if (!check.ok) throw new ChainError('BUNDLE_CERT_SIGNATURE', `the bundle key certificate's signature: ${check.message}`);
  if (cert.bundleKey.verificationMethod !== method) throw new ChainError('BUNDLE_CERT_WRONG_KEY', 'the bundle key certificate certifies another key than the signer');
  return { cert, anchor: root.anchor };
}

/** ChainError unless `issued` lies in the certificate's window and the window is open at `now` (µs). */
export function checkWindow(cert, issued, now) {
  if (issued < cert.validFrom) throw new ChainError('BUNDLE_CERT_NOT_YET_VALID', "it was signed before its key's certificate starts");
  if (issued >= cert.validUntil) throw new ChainError('BUNDLE_CERT_EXPIRED', "it was signed after its key's certificate expired");
  if (now >= cert.validUntil) throw new ChainError('BUNDLE_CERT_EXPIRED', "the bundle key's certificate has expired: get a copy signed under a current one");
}

/** {key, anchor, roots, certificate} for the signer named by `method`; the signature is the caller's to verify. */
export async function bundleSigner(document, method, pinned) {
  const roots = await trustedRoots(document, pinned);
  const every = [...roots.values()].map((r) => r.root);
  if (roots.has(method)) {
    const { root, anchor } = roots.get(method);
    return { key: root, anchor, roots: every, certificate: null };
  }
  if (!has(document, 'bundleKeyCertificate')) {
    throw new ChainError('BUNDLE_UNTRUSTED_KEY', `it is signed by ${method.slice(0, 80)}, which is not a pinned root key`);
  }
  const { cert, anchor } = await certified(document, method, roots);
  return { key: cert.bundleKey, anchor, roots: every, certificate: cert };
}

/**
 * The registry's key that signed `credential` (a continuing-education record), trusted through the
 * chain it carries, at its proof's `created` and still at `now` (µs), its proof verified; ChainError
 * otherwise (REGISTRY_PROOF when the proof does not hold). As credentials/rootchain.py's
 * credential_signer.
 */
export async function credentialSigner(credential, pinned, now) {
  const method = verificationMethodOf(credential);
  let signedAt = null;
  try {
    signedAt = time(get(proofOf(credential), 'created'));
  } catch {
    signedAt = null;
  }
  if (method === null || signedAt === null) throw new ChainError('REGISTRY_PROOF', 'the credential has no proof with a verificationMethod and created');
  const signer = await bundleSigner(credential, method, pinned);
  if (signer.certificate !== null) checkWindow(signer.certificate, signedAt, now);
  const check = await verifyProof(credential, signer.key);
  if (!check.ok) throw new ChainError('REGISTRY_PROOF', `the credential's proof: ${check.message}`);
  return signer;
}
