// Ed25519 public keys as Multikey (`z6Mk…`) and did:key, with the checks and error codes of
// credentials/keys.py.

import { pointProblem } from './crypto.js';
import { base58Decode, base58Encode, bytesEqual } from './encoding.js';

const PUBLIC_PREFIX = [0xed, 0x01];
const KNOWN_PREFIXES = {
  '80,26': 'an Ed25519 private key (0x1300)',
  'ec,1': 'an X25519 public key (0xec)',
  'e7,1': 'a secp256k1 public key (0xe7)',
  '80,24': 'a P-256 public key (0x1200)',
  '81,24': 'a P-384 public key (0x1201)',
  'eb,1': 'a BLS12-381 G2 public key (0xeb)',
};
const BASE58BTC = /^[1-9A-HJ-NP-Za-km-z]+$/;
const MAX_MULTIBASE_CHARS = 128;
const DID_KEY = 'did:key:';

export class KeyFormatError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class PublicKey {
  constructor(raw) {
    if (!(raw instanceof Uint8Array)) throw new KeyFormatError('KEY_TYPE', 'Ed25519 public key must be bytes');
    if (raw.length !== 32) throw new KeyFormatError('KEY_LENGTH', `Ed25519 public key must be 32 bytes, got ${raw.length}`);
    const problem = pointProblem(raw);
    if (problem) throw new KeyFormatError(problem, 'Ed25519 public key is refused (small order, non-canonical or not on the curve)');
    this.raw = raw;
    this.multibase = 'z' + base58Encode(Uint8Array.from([...PUBLIC_PREFIX, ...raw]));
    this.did = DID_KEY + this.multibase;
    this.verificationMethod = `${this.did}#${this.multibase}`;
  }

  static fromMultibase(value) {
    if (typeof value !== 'string') throw new KeyFormatError('KEY_TYPE', 'public Multikey must be a string');
    if (!value.startsWith('z')) {
      throw new KeyFormatError('KEY_MULTIBASE_PREFIX', "public Multikey must be multibase base58btc, starting with 'z'");
    }
    const body = value.slice(1);
    if (body.length > MAX_MULTIBASE_CHARS) throw new KeyFormatError('KEY_LENGTH', 'public Multikey is far too long for an Ed25519 key');
    if (!BASE58BTC.test(body)) throw new KeyFormatError('KEY_BASE58', 'public Multikey contains characters outside base58btc');
    const data = base58Decode(body);
    const prefix = data.subarray(0, 2);
    if (!bytesEqual(prefix, Uint8Array.from(PUBLIC_PREFIX))) {
      const known = KNOWN_PREFIXES[Array.from(prefix, (b) => b.toString(16)).join(',')];
      throw new KeyFormatError('KEY_MULTICODEC', `public Multikey must start with multicodec 0xed01; this is ${known ?? 'another multicodec'}`);
    }
    const key = data.slice(2);
    if (key.length !== 32) throw new KeyFormatError('KEY_LENGTH', `public Multikey must hold 32 key bytes, found ${key.length}`);
    return new PublicKey(key);
  }

  static fromDidKey(did) {
    if (typeof did !== 'string') throw new KeyFormatError('KEY_TYPE', 'did:key must be a string');
    if (!did.startsWith(DID_KEY)) throw new KeyFormatError('KEY_DID_FORMAT', "a did:key identifier starts with 'did:key:'");
    if (did.includes('#')) throw new KeyFormatError('KEY_DID_FORMAT', "this has a '#fragment', so it is a verification method id, not a DID");
    return PublicKey.fromMultibase(did.slice(DID_KEY.length));
  }

  static fromVerificationMethod(vm) {
    if (typeof vm !== 'string') throw new KeyFormatError('KEY_TYPE', 'verification method must be a string');
    const hash = vm.indexOf('#');
    if (hash < 0) throw new KeyFormatError('KEY_DID_FORMAT', "a did:key verification method ends with '#<multikey>'");
    const key = PublicKey.fromDidKey(vm.slice(0, hash));
    if (vm.slice(hash + 1) !== key.multibase) {
      throw new KeyFormatError('KEY_FRAGMENT_MISMATCH', "the '#fragment' of a did:key verification method must equal its key");
    }
    return key;
  }

  equals(other) {
    return other instanceof PublicKey && bytesEqual(this.raw, other.raw);
  }
}
