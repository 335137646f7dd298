// The page's Merkle proofs, signed notes, checkpoints and cosignatures against the same published
// vectors as tests/credentials/test_transparency_vectors.py (tests/vectors/rfc6962-merkle/ and
// tests/vectors/c2sp/, sources in their SOURCE.md).

import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../src/encoding.js';
import { TransparencyError, inclusionPath, leafHash, nodeHash, rootFromLeaves, verifyConsistency, verifyInclusion } from '../src/merkle.js';
import { b64decode, checkpointFromText, cosignatureMessage, parseVkey, verifyCosignatures, verifyNote } from '../src/note.js';

const vectors = fileURLToPath(new URL('../../../tests/vectors/', import.meta.url));
const b64 = (text) => Uint8Array.from(Buffer.from(text, 'base64'));
const hex = (bytes) => Buffer.from(bytes).toString('hex');

async function probes(kind) {
  const out = [];
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.json')) out.push([relative(join(vectors, 'rfc6962-merkle'), path), JSON.parse(await readFile(path, 'utf8'))]);
    }
  };
  await walk(join(vectors, 'rfc6962-merkle', kind));
  assert.ok(out.length > 50);
  return out;
}

async function outcome(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    if (!(error instanceof TransparencyError)) throw error;
    return error.code;
  }
}

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOT8 = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';

test('RFC 6962 hashes and the reference tree', async () => {
  assert.equal(hex(await leafHash(new TextEncoder().encode('L123456'))), '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
  assert.equal(hex(await nodeHash(new TextEncoder().encode('N123'), new TextEncoder().encode('N456'))), 'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
  const hashes = await Promise.all(LEAVES.map((h) => leafHash(fromHex(h))));
  assert.equal(hex(await rootFromLeaves(hashes)), ROOT8);
  assert.equal(hex(await rootFromLeaves([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  for (let i = 0; i < 8; i++) await verifyInclusion(hashes[i], BigInt(i), 8n, await inclusionPath(i, hashes), fromHex(ROOT8));
});

test('the inclusion probes', async () => {
  for (const [name, p] of await probes('inclusion')) {
    const code = await outcome(verifyInclusion(b64(p.leafHash), BigInt(p.leafIdx), BigInt(p.treeSize), (p.proof ?? []).map(b64), b64(p.root)));
    assert.equal(code, p.wantErr ? 'INCLUSION_PROOF_INVALID' : null, name);
  }
});

test('the consistency probes (one stricter: 32-byte hashes only, as in Python)', async () => {
  const stricter = new Set(['consistency/additional/sizes-are-equal-one-and-proof-is-empty.json']);
  for (const [name, p] of await probes('consistency')) {
    const code = await outcome(verifyConsistency(BigInt(p.size1), BigInt(p.size2), (p.proof ?? []).map(b64), b64(p.root1), b64(p.root2)));
    assert.equal(code, p.wantErr || stricter.has(name) ? 'CONSISTENCY_PROOF_INVALID' : null, name);
  }
});

const notes = JSON.parse(await readFile(join(vectors, 'c2sp', 'signed-note.json'), 'utf8'));

test('the C2SP signed-note example and the Go sumdb/note cases', async () => {
  const example = notes.c2sp_example;
  const key = await parseVkey(example.vkey);
  assert.deepEqual((await verifyNote(example.note, [key]))[0], example.text);
  const go = notes.go_sumdb_note;
  const peter = await parseVkey(go.peter_vkey);
  const enoch = await parseVkey(go.enoch_vkey);
  const note = go.text + '\n' + go.peter_sig + go.enoch_sig;
  assert.deepEqual((await verifyNote(note, [peter]))[1], [peter]);
  assert.deepEqual((await verifyNote(note, [peter, enoch]))[1], [peter, enoch]);
  assert.equal(await outcome(verifyNote(note, [])), 'NOTE_UNTRUSTED');
  assert.equal(await outcome(verifyNote(go.invalid_signature, [peter])), 'NOTE_SIGNATURE_INVALID');
  for (const bad of go.malformed_notes) assert.equal(await outcome(verifyNote(bad, [peter])), 'NOTE_MALFORMED', JSON.stringify(bad).slice(0, 60));
  for (const bad of go.bad_vkeys) assert.ok(await outcome(parseVkey(bad)));
  const vkey = go.peter_vkey;
  for (let i = 0; i < vkey.length; i++) {
    assert.ok(await outcome(parseVkey(vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1))), `mangled at ${i}`);
  }
});

test('the C2SP checkpoint and cosignature examples', async () => {
  const cp = JSON.parse(await readFile(join(vectors, 'c2sp', 'tlog-checkpoint.json'), 'utf8'));
  const parsed = checkpointFromText(cp.note.split('\n\n')[0] + '\n');
  assert.deepEqual([parsed.origin, parsed.size, hex(parsed.rootHash)], [cp.origin, BigInt(cp.size), hex(b64(cp.root))]);
  const co = JSON.parse(await readFile(join(vectors, 'c2sp', 'tlog-cosignature.json'), 'utf8'));
  const body = co.note.split('\n\n')[0] + '\n';
  assert.equal(new TextDecoder().decode(cosignatureMessage(body, BigInt(co.timestamp))), co.message);
  assert.deepEqual(await verifyCosignatures(co.note, []), []);
  assert.equal(hex(b64decode('AAAA', 'X', 'x')), '000000');
  for (const bad of ['AAA', 'AA==AA==', 'AB==', 'A-_A', 'AAAA\n']) assert.throws(() => b64decode(bad, 'X', 'x'));
});
