// Hashes and Ed25519 verification. WebCrypto where the browser has it (Ed25519 is in Chrome 137+,
// Firefox 129+, Safari 17+); otherwise @noble/ed25519 (audited, no dependencies) and hash-wasm's
// SHA-2, so that an older phone, or a page opened over plain http where crypto.subtle is
// missing, still verifies.
//
// Both paths accept exactly what libsodium (the Python verifier) accepts for keys that passed
// keys.js's checks: S must be below the group order, R must not be a small-order point, and the
// equation is checked without the cofactor (WebCrypto does so; for noble, which multiplies by
// the cofactor, R must also be torsion-free, which makes the two checks equivalent).

import * as ed from '@noble/ed25519';
import { createSHA256, createSHA512 } from 'hash-wasm';

const subtle = globalThis.crypto?.subtle;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

async function digest(name, create, data) {
  if (subtle) return new Uint8Array(await subtle.digest(name, data));
  const hasher = await create();
  return hasher.init().update(data).digest('binary');
}

export const sha256 = (data) => digest('SHA-256', createSHA256, data);
export const sha512 = (data) => digest('SHA-512', createSHA512, data);

ed.hashes.sha512Async = sha512;

// libsodium's blacklist (ge25519_has_small_order): compared with the sign bit cleared.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16)));

function hasSmallOrder(point) {
  return SMALL_ORDER.some((bad) => {
    let diff = 0;
    for (let i = 0; i < 31; i++) diff |= point[i] ^ bad[i];
    diff |= (point[31] & 0x7f) ^ bad[31];
    return diff === 0;
  });
}

function littleEndian(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

let webCryptoEd25519 = subtle ? undefined : false; // undefined: not yet known
const imported = new Map();

async function importKey(raw) {
  const id = raw.join(',');
  let key = imported.get(id);
  if (!key) {
    key = await subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    imported.set(id, key);
  }
  return key;
}

/** Which implementation verifies signatures here: "WebCrypto" or "noble". */
export async function ed25519Backend() {
  if (webCryptoEd25519 === undefined) {
    try {
      // The base point: any valid key tells whether the algorithm exists.
      await importKey(ed.Point.BASE.toBytes());
      webCryptoEd25519 = true;
    } catch {
      webCryptoEd25519 = false;
    }
  }
  return webCryptoEd25519 ? 'WebCrypto' : 'noble';
}

/** Is the point encoding valid, canonical, not small order, in the prime-order subgroup? */
export function pointProblem(raw) {
  if (hasSmallOrder(raw)) return 'KEY_SMALL_ORDER';
  const y = littleEndian(raw) & ((1n << 255n) - 1n);
  if (y >= 2n ** 255n - 19n) return 'KEY_NON_CANONICAL';
  try {
    const point = ed.Point.fromBytes(raw, false);
    if (!point.isTorsionFree() || point.isSmallOrder()) return 'KEY_INVALID_POINT';
  } catch {
    return 'KEY_INVALID_POINT';
  }
  return null;
}

/** Ed25519 (pure EdDSA) verification of `signature` over `message` under a checked raw key. */
export async function ed25519Verify(rawKey, message, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  if (littleEndian(signature.subarray(32)) >= L || hasSmallOrder(r)) return false;
  if ((await ed25519Backend()) === 'WebCrypto') {
    return subtle.verify({ name: 'Ed25519' }, await importKey(rawKey), signature, message);
  }
  try {
    if (!ed.Point.fromBytes(r, false).isTorsionFree()) return false;
  } catch {
    return false;
  }
  return ed.verifyAsync(signature, message, rawKey, { zip215: false });
}

/** Tests only: force the fallback path. */
export function _useNoble(force) {
  webCryptoEd25519 = force ? false : subtle ? undefined : false;
}
