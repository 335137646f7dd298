// Runs the conformance corpus (tests/vectors/conformance/) through the page's verifier in Node
// and prints what it says, as JSON, for tests/web/test_conformance.py to compare with Python.
//
//   node tools/corpus.mjs [CORPUS_DIR] [--noble]
//
// --noble: verify signatures with the fallback library instead of WebCrypto.
// --no-subtle: no WebCrypto at all (hashes from hash-wasm too).

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? join(here, '../../../tests/vectors/conformance'));
// As on a page served over plain http: no crypto.subtle at all (SHA-2 from hash-wasm, noble).
if (args.includes('--no-subtle')) Object.defineProperty(globalThis, 'crypto', { value: undefined });
const { runCorpus } = await import('../src/corpus.js');
const { _useNoble } = await import('../src/crypto.js');
if (args.includes('--noble')) _useNoble(true);
// Images are read by the page's own ZXing WebAssembly; Node cannot import the .wasm, so read it.
const { _useZxingWasm } = await import('../src/qr.js');
const { createRequire } = await import('node:module');
const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
_useZxingWasm(async () => new Uint8Array(await readFile(wasmPath)));

const load = async (name) => new Uint8Array(await readFile(join(dir, name)));
const results = await runCorpus(load);
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
