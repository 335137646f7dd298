// Runs the shared conformance corpus (tests/vectors/conformance/manifest.json) through this
// verifier. Used by the Node runner (test/corpus.mjs) and, in the browser tests, by the page
// itself (window.dteVerifier.runCorpus), so both environments run the very same code.

import { BundleError, loadBundle } from './bundle.js';
import { DetachedSignatureError, verifyDetached } from './detached.js';
import { PublicKey } from './keys.js';
import { ReadError, parseJsonBytes, readCredential } from './read.js';
import { isCeRecord, verifyRecord } from './record.js';
import { parseTimestamp } from './time.js';
import { verifyCredential } from './verifier.js';

/** `load(relativePath)` gives a file's bytes. Returns {cases: {id: result}, bundles: {id: result}, detached: {id: result}}. */
export async function runCorpus(load) {
  const manifest = parseJsonBytes(await load('manifest.json'), 'the manifest');
  const root = PublicKey.fromMultibase(manifest.rootKey);
  const bundles = new Map();
  const bundleFor = async (file) => {
    if (!bundles.has(file)) bundles.set(file, loadBundle(parseJsonBytes(await load(file), file), [root]));
    return bundles.get(file);
  };
  const out = { cases: {}, bundles: {}, detached: {}, records: {} };
  for (const entry of manifest.cases) {
    let credential;
    try {
      credential = await readCredential(await load(entry.input));
    } catch (error) {
      if (!(error instanceof ReadError)) throw error;
      out.cases[entry.id] = { unreadable: true, reason: error.message };
      continue;
    }
    const report = await verifyCredential(credential, {
      bundle: await bundleFor(entry.bundle),
      cardNumber: entry.card,
      now: parseTimestamp(entry.now),
    });
    out.cases[entry.id] = { verdict: report.verdict, description: report.description, checks: report.checks.map(({ name, status, code }) => ({ name, status, code })) };
  }
  for (const entry of manifest.bundles) {
    try {
      const now = entry.now ? parseTimestamp(entry.now) : null;
      const pinned = entry.rootKey ? PublicKey.fromMultibase(entry.rootKey) : root;
      // As the page's Trust asks it: the highest sequence kept under the root the trust descends from.
      const highestSequence = async (anchor) => (anchor.equals(pinned) ? entry.highestSequence : null);
      await loadBundle(parseJsonBytes(await load(entry.file), entry.file), [pinned], { highestSequence, now });
      out.bundles[entry.id] = { accepted: true, code: null };
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      out.bundles[entry.id] = { accepted: false, code: error.code };
    }
  }
  for (const entry of manifest.detached ?? []) {
    try {
      const signature = parseJsonBytes(await load(entry.signature), entry.signature);
      await verifyDetached(await load(entry.file), signature, [root], parseTimestamp(entry.now));
      out.detached[entry.id] = { accepted: true, code: null };
    } catch (error) {
      if (!(error instanceof DetachedSignatureError)) throw error;
      out.detached[entry.id] = { accepted: false, code: error.code };
    }
  }
  for (const entry of manifest.records ?? []) {
    const credential = parseJsonBytes(await load(entry.file), entry.file);
    const report = await verifyRecord(credential, [root], { cardNumber: entry.card ?? null, now: parseTimestamp(entry.now) });
    out.records[entry.id] = { accepted: report.valid, code: report.code, binding: [report.binding.status, report.binding.code], routed: isCeRecord(credential) };
  }
  return out;
}
