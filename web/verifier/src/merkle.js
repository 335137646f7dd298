// RFC 9162 §2.1 Merkle tree hashing and proof verification (SHA-256), as credentials/_merkle.py:
// the same size limits, the same refusals, the same codes. Sizes and indexes are BigInt here:
// JavaScript's bit operators work on 32 bits, and a tree size is a uint64.

import { sha256 } from './crypto.js';
import { bytesEqual, concatBytes } from './encoding.js';

export const HASH_BYTES = 32;
export const MAX_TREE_SIZE = 2n ** 64n - 1n;
const MAX_PROOF_HASHES = 65;

export class TransparencyError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export const leafHash = (data) => sha256(concatBytes(Uint8Array.of(0), data));
export const nodeHash = (left, right) => sha256(concatBytes(Uint8Array.of(1), left, right));

const split = (n) => 1 << (31 - Math.clz32(n - 1)); // the largest power of two below n (n > 1)

/** MTH over leaf hashes (for tests and small trees). */
export async function rootFromLeaves(hashes) {
  if (hashes.length === 0) return sha256(new Uint8Array(0));
  if (hashes.length === 1) return hashes[0];
  const k = split(hashes.length);
  return nodeHash(await rootFromLeaves(hashes.slice(0, k)), await rootFromLeaves(hashes.slice(k)));
}

/** PATH(m, D[n]) (for tests and small trees). */
export async function inclusionPath(m, hashes) {
  if (hashes.length <= 1) return [];
  const k = split(hashes.length);
  if (m < k) return [...(await inclusionPath(m, hashes.slice(0, k))), await rootFromLeaves(hashes.slice(k))];
  return [...(await inclusionPath(m - k, hashes.slice(k))), await rootFromLeaves(hashes.slice(0, k))];
}

/** How many hashes an inclusion proof of leaf `index` in a tree of `size` has (BigInts). */
export function proofLength(index, size) {
  const inner = (index ^ (size - 1n)).toString(2).replace(/^0+/, '').length;
  const border = (index >> BigInt(inner)).toString(2).replace(/0/g, '').length;
  return inner + border;
}

function checkHash(value, what, code) {
  if (!(value instanceof Uint8Array) || value.length !== HASH_BYTES) throw new TransparencyError(code, `${what} must be a ${HASH_BYTES}-byte hash`);
}

function checkSize(value, what, code) {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_TREE_SIZE) throw new TransparencyError(code, `${what} must be an integer within 0..2**64-1`);
}

function checkProof(proof, code) {
  if (proof.length > MAX_PROOF_HASHES) throw new TransparencyError(code, `a proof has at most ${MAX_PROOF_HASHES} hashes`);
  for (const p of proof) checkHash(p, 'every proof element', code);
}

/** RFC 9162 §2.1.3.2; throws TransparencyError INCLUSION_PROOF_INVALID. index, size: BigInt. */
export async function verifyInclusion(leaf, index, size, proof, root) {
  const code = 'INCLUSION_PROOF_INVALID';
  checkSize(index, 'the leaf index', code);
  checkSize(size, 'the tree size', code);
  checkProof(proof, code);
  checkHash(leaf, 'the leaf hash', code);
  checkHash(root, 'the root hash', code);
  if (index >= size) throw new TransparencyError(code, `leaf ${index} is not in a tree of ${size}`);
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new TransparencyError(code, 'the proof is longer than the tree is deep');
    if (fn & 1n || fn === sn) {
      r = await nodeHash(p, r);
      while (fn && !(fn & 1n)) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new TransparencyError(code, 'the proof is shorter than the tree is deep');
  if (!bytesEqual(r, root)) throw new TransparencyError(code, 'the proof does not lead to the root hash');
}

/** RFC 9162 §2.1.4.2 as credentials/_merkle.py (old size 0 refused); throws CONSISTENCY_PROOF_INVALID. */
export async function verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot) {
  const code = 'CONSISTENCY_PROOF_INVALID';
  checkSize(oldSize, 'the old size', code);
  checkSize(newSize, 'the new size', code);
  checkProof(proof, code);
  checkHash(oldRoot, 'the old root', code);
  checkHash(newRoot, 'the new root', code);
  if (oldSize > newSize) throw new TransparencyError(code, `old size ${oldSize} is larger than new size ${newSize}`);
  if (oldSize === 0n) throw new TransparencyError(code, 'a consistency proof from the empty tree proves nothing');
  if (oldSize === newSize) {
    if (proof.length) throw new TransparencyError(code, 'this proof must be empty');
    if (!bytesEqual(oldRoot, newRoot)) throw new TransparencyError(code, 'two trees of one size have different roots');
    return;
  }
  if (!proof.length) throw new TransparencyError(code, 'the proof is empty');
  const hashes = (oldSize & (oldSize - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1n;
  let sn = newSize - 1n;
  while (fn & 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = hashes[0];
  let sr = hashes[0];
  for (const c of hashes.slice(1)) {
    if (sn === 0n) throw new TransparencyError(code, 'the proof is longer than the tree is deep');
    if (fn & 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn && !(fn & 1n)) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new TransparencyError(code, 'the proof is shorter than the tree is deep');
  if (!bytesEqual(fr, oldRoot) || !bytesEqual(sr, newRoot)) throw new TransparencyError(code, 'the proof does not lead to both roots');
}
