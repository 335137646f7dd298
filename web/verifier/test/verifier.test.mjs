// `npm test`: the conformance corpus against this verifier (both signature back-ends), and the
// pieces that have no Python twin to be compared with: inflate against Node's zlib.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { runCorpus } from '../src/corpus.js';
import { _useNoble } from '../src/crypto.js';
import { inflate } from '../src/inflate.js';
import { parseJson } from '../src/json.js';

const corpus = fileURLToPath(new URL('../../../tests/vectors/conformance/', import.meta.url));
const load = async (name) => new Uint8Array(await readFile(join(corpus, name)));
const manifest = JSON.parse(await readFile(join(corpus, 'manifest.json'), 'utf8'));

function compare(results) {
  for (const entry of manifest.cases) {
    const got = results.cases[entry.id];
    const want = entry.expected;
    if (want.unreadable) assert.ok(got.unreadable, entry.id);
    else assert.deepEqual({ verdict: got.verdict, checks: got.checks }, { verdict: want.verdict, checks: want.checks }, entry.id);
  }
  for (const entry of manifest.bundles) assert.deepEqual(results.bundles[entry.id], entry.expected, entry.id);
}

test('the corpus, with WebCrypto Ed25519', async () => {
  _useNoble(false);
  compare(await runCorpus(load));
});

test('the corpus, with @noble/ed25519', async () => {
  _useNoble(true);
  try {
    compare(await runCorpus(load));
  } finally {
    _useNoble(false);
  }
});

test('inflate agrees with zlib and refuses what Python refuses', async () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let round = 0; round < 60; round++) {
    const data = new Uint8Array(Math.floor(random() ** 2 * 50000));
    for (let i = 0; i < data.length; i++) data[i] = random() < 0.4 && i > 8 ? data[i - 1 - Math.floor(random() * 8)] : Math.floor(random() * 40);
    const level = Math.floor(random() * 10);
    for (const [format, compress] of [['deflate', zlib.deflateSync], ['gzip', zlib.gzipSync]]) {
      const packed = new Uint8Array(compress(data, { level }));
      assert.deepEqual(await inflate(format, packed, 1 << 20), data);
      const trailing = new Uint8Array([...packed, 0]);
      await assert.rejects(inflate(format, trailing, 1 << 20), { code: 'CORRUPT' });
      await assert.rejects(inflate(format, packed.subarray(0, packed.length - 1), 1 << 20), { code: 'CORRUPT' });
      if (data.length > 10) await assert.rejects(inflate(format, packed, data.length - 1), { code: 'TOO_LARGE' });
    }
  }
});

test('JSON: duplicate keys, NaN and non-JSON are refused; "__proto__" is a key', () => {
  assert.throws(() => parseJson('{"a": 1, "a": 2}'), /twice/);
  assert.throws(() => parseJson('{"a": NaN}'));
  assert.throws(() => parseJson('{"a": 1} x'));
  assert.throws(() => parseJson("{'a': 1}"));
  const value = parseJson('{"__proto__": {"x": 1}}');
  assert.equal(Object.getPrototypeOf(value), null);
  assert.equal(value.__proto__.x, 1);
});
