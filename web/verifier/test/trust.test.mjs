// `npm test`: what the page's Trust keeps between bundles, with the in-memory store (Node has no
// IndexedDB) and the conformance corpus's bundles (sequence 7 and 8 under its root key).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store.js';
import { Trust } from '../src/trust.js';

const corpus = fileURLToPath(new URL('../../../tests/vectors/conformance/', import.meta.url));
const manifest = JSON.parse(await readFile(join(corpus, 'manifest.json'), 'utf8'));
const seven = new Uint8Array(await readFile(join(corpus, 'bundle.json')));
const eight = new Uint8Array(await readFile(join(corpus, 'bundle-newer.json')));

// IndexedDB takes a while to write; the memory store writes at once, which would hide the race.
async function slowStore() {
  const inner = await openStore();
  assert.equal(inner.persistent, false); // the memory store: nothing shared between tests
  const later = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { ...inner, set: async (key, value) => (await later(), inner.set(key, value)) };
}

async function trustOn(store) {
  const trust = new Trust(store, { buildRootKeys: [manifest.rootKey], online: false });
  await trust.init();
  return trust;
}

test('two bundles offered at once: the higher sequence is kept, and a reload refuses the lower', async () => {
  const store = await slowStore();
  const trust = await trustOn(store);
  const outcomes = await Promise.all([trust.accept(eight), trust.accept(seven)]);
  assert.deepEqual(outcomes.map((o) => o.kind), ['updated', 'older']);
  assert.equal(trust.bundle.sequence, 8);
  assert.equal(await store.get(`seq:${manifest.rootKey}`), 8);
  const reloaded = await trustOn(store);
  assert.equal(reloaded.bundle.sequence, 8);
  assert.deepEqual(await reloaded.accept(seven), { kind: 'older', offered: 7, kept: 8 });
});

test('a refused bundle does not stop the ones offered after it', async () => {
  const trust = await trustOn(await slowStore());
  const outcomes = await Promise.all([trust.accept(new TextEncoder().encode('{')), trust.accept(seven)]);
  assert.deepEqual(outcomes.map((o) => o.kind), ['refused', 'updated']);
  assert.equal(trust.bundle.sequence, 7);
});

test('Forget waits for a bundle check under way, which then writes nothing back', async () => {
  const store = await slowStore();
  const trust = await trustOn(store);
  const checking = trust.accept(eight); // reads the store, then writes slowly
  await trust.forget();
  await checking;
  assert.equal(trust.bundle, null);
  assert.equal(await store.get('bundle'), undefined);
  assert.equal(await store.get(`seq:${manifest.rootKey}`), undefined);
});
