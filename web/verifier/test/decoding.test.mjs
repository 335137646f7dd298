// The page's decoding, attacked where it once disagreed with the Python verifier (issue 14, item
// 16); tests/web/test_differential.py runs the same classes through both verifiers.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { imageRefusal, imageSize, sniff } from '../src/image.js';
import { CanonicalizationError, canonicalize } from '../src/jcs.js';
import { INEXACT, copyWithout, numberMark, parseJson } from '../src/json.js';
import { PublicKey } from '../src/keys.js';
import { verifyProof } from '../src/proof.js';
import { parseTimestamp } from '../src/time.js';

const corpus = fileURLToPath(new URL('../../../tests/vectors/conformance/', import.meta.url));
const valid = async () => parseJson(await readFile(`${corpus}cases/valid.json`, 'utf8'));
const refused = (value) => assert.throws(() => canonicalize(value), (e) => e instanceof CanonicalizationError && e.code === 'JCS_NOT_JSON');

test('a JSON object or list as proof.type or cryptosuite is a wrong suite, not a failed check', async () => {
  const document = await valid();
  const key = PublicKey.fromVerificationMethod(document.proof.verificationMethod);
  for (const odd of ['{}', '{"toString": 1}', '[]', '["DataIntegrityProof"]', 'null', '1.5']) {
    for (const field of ['type', 'cryptosuite']) {
      const changed = await valid();
      changed.proof[field] = parseJson(odd);
      assert.equal((await verifyProof(changed, key)).code, 'PROOF_WRONG_SUITE', `${field} ${odd}`);
    }
  }
});

test('an integer of 310 to 4,300 digits is a finite integer no double holds, never NaN', () => {
  for (const digits of [310, 400, 4300]) {
    const parsed = parseJson(`{"a": 1${'0'.repeat(digits - 1)}, "b": -9${'9'.repeat(digits - 1)}}`);
    assert.equal(parsed.a, Number.MAX_VALUE);
    assert.equal(parsed.b, -Number.MAX_VALUE);
    assert.equal(numberMark(parsed, 'a'), INEXACT);
    refused(parsed);
  }
  assert.throws(() => parseJson(`{"a": 1${'0'.repeat(4300)}}`), /too long/);
});

test('a copy keeps the marks of the numbers it holds', () => {
  const parsed = parseJson('{"a": 9007199254740993, "b": 1.0, "proof": 1}');
  const copy = copyWithout(parsed, 'proof');
  assert.deepEqual(Object.keys(copy), ['a', 'b']);
  refused(copy);
});

test('a number never signed fails the proof where the document is copied for it', async () => {
  // Signed over 9007199254740992; shown with …993, which no double holds.
  for (const where of ['top', 'proof']) {
    const document = await valid();
    const text = JSON.stringify(document).replace('"proof":{', where === 'top' ? '"extra":9007199254740993,"proof":{' : '"proof":{"extra":9007199254740993,');
    const changed = parseJson(text);
    const key = PublicKey.fromVerificationMethod(changed.proof.verificationMethod);
    assert.equal((await verifyProof(changed, key)).code, 'PROOF_MALFORMED', where);
  }
});

const png = (width, height, depth = 8) => {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes[24] = depth;
  return bytes;
};

test('images: the format and the pixel limit come from the header, before any decoder', () => {
  assert.deepEqual(imageSize(png(8000, 8000)), [8000, 8000]);
  assert.equal(imageRefusal(png(8000, 8000)), null);
  assert.match(imageRefusal(png(8000, 8001)), /too large/);
  assert.match(imageRefusal(png(10, 10, 16)), /8 bits/);
  assert.match(imageRefusal(Uint8Array.from([0x49, 0x49, 0x2a, 0x00, 0, 0, 0, 0])), /TIFF images are not read/);
  const webp = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8L');
  assert.equal(sniff(webp), 'WEBP');
  assert.match(imageRefusal(webp), /WEBP images are not read/);
  assert.equal(imageSize(Uint8Array.from([0xff, 0xd8, 0xff])), null);
});

test('date-times: RFC 3339 with an offset, in the years 1 to 9999 in UTC and in China time', () => {
  const read = ['2025-06-01T02:00:00Z', '2025-06-01T10:00:00+08:00', '2025-06-01T02:00:00.5Z', '0001-01-01T00:00:00Z', '9999-12-31T15:59:59.999999Z'];
  for (const text of read) assert.equal(typeof parseTimestamp(text), 'bigint', text);
  assert.equal(parseTimestamp('2025-06-01T10:00:00+08:00'), parseTimestamp('2025-06-01T02:00:00Z'));
  const refusedTimes = [
    '2025-06-01T02:00:17.Z', '2025-06-01T02:00:17,5Z', '2025-W22-7T02:00:00Z', '20250601T020000Z', '2025-06-01T02:00Z',
    '2025-06-01T02:00:00+0800', '2025-06-01T02:00:00+08:00:00.5', '2025-06-01T02:00:00', '2025-02-29T02:00:00Z',
    '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '9999-12-31T16:00:00Z', '0000-01-01T00:00:00Z',
  ];
  for (const text of refusedTimes) assert.throws(() => parseTimestamp(text), RangeError, text);
});
