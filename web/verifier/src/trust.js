// What the page trusts and keeps: the pinned root key(s) and the latest accepted trust bundle.
//
// Root key, in order: keys fixed in the page at build time (DTE_VERIFIER_ROOT_KEYS); the key
// carried by an offline copy; the key pinned earlier on this device (set by the user, or the key
// this server offered at /root-key the first time: trust on first use, shown with a warning).
//
// Bundle: every bundle, from /bundle.json, from a file or from storage, is verified against the
// pinned key before use. The highest sequence accepted per pinned root (the one the bundle's trust
// descends from, not its signer) is remembered, and a lower one is refused, so an old bundle from
// before a revocation never replaces a newer one.

import { BundleError, loadBundle } from './bundle.js';
import { PublicKey } from './keys.js';
import { get } from './json.js';
import { ReadError, parseJsonBytes } from './read.js';
import { trustedRoots } from './rootchain.js';

const encoder = new TextEncoder();

export class Trust {
  constructor(store, { buildRootKeys = [], embedded = null, online = true } = {}) {
    this.store = store;
    this.buildRootKeys = buildRootKeys;
    this.embedded = embedded;
    this.online = online; // false for a copy opened from a file: there is no server to ask
    this.rootKeys = [];
    this.rootSource = null;
    this.rootPinnedAt = null;
    this.rootMismatch = null;
    this.serverSuccessor = null; // the root /root-key names, reached from the pin by rotations
    this.rootOrigin = null;
    this.bundle = null;
    this.bundleText = null;
    this.queue = Promise.resolve(); // what reads and writes the store, one after another
  }

  async init() {
    await this.loadRootKeys();
    const stored = await this.store.get('bundle');
    if (stored && (await this.accept(encoder.encode(stored))).kind === 'refused') await this.store.delete('bundle');
    if (this.embedded?.bundle) await this.accept(encoder.encode(this.embedded.bundle));
  }

  async loadRootKeys() {
    if (this.buildRootKeys.length) {
      this.setRoot(this.buildRootKeys, 'build', null);
      return;
    }
    // An offline copy carries the key its maker trusted; it wins over what this origin stored
    // (all copies opened from files share one origin).
    if (this.embedded?.rootKeys?.length) {
      this.setRoot(this.embedded.rootKeys, 'copy', this.embedded.rootPinnedAt ?? null);
      this.rootOrigin = this.embedded.rootSource ?? null; // 'tofu' keeps its warning in the copy
      return;
    }
    const stored = await this.store.get('root');
    if (stored?.keys?.length) {
      this.setRoot(stored.keys, stored.source, stored.at);
      return;
    }
    if (this.online) await this.pinFromServer();
  }

  setRoot(multibases, source, at) {
    this.rootKeys = multibases.map((k) => PublicKey.fromMultibase(k));
    this.rootSource = source;
    this.rootPinnedAt = at;
  }

  async pin(multibases, source, at = new Date().toISOString()) {
    this.setRoot(multibases, source, at);
    await this.store.set('root', { keys: multibases, source, at });
  }

  async pinFromServer() {
    try {
      const response = await fetch('/root-key', { cache: 'no-store' });
      if (!response.ok) return;
      const key = get(parseJsonBytes(new Uint8Array(await response.arrayBuffer()), 'the root key'), 'publicKeyMultibase');
      PublicKey.fromMultibase(key); // refuse anything that is not a usable key
      await this.pin([key], 'tofu');
    } catch {
      // offline on the very first visit: the page says it has no root key
    }
  }

  /**
   * The root the pinned one rotated to, as the server names it, or else as the accepted bundle
   * shows it: its trust comes from a root the pin reaches only through the rotations it carries
   * (the root that certified its key, or that signed it). So a copy opened from a file, which
   * never asks the server, says so too. Null when neither.
   */
  get rootSuccessor() {
    if (this.serverSuccessor) return this.serverSuccessor;
    const signer = this.bundle?.signer;
    if (!signer) return null;
    const vouching = signer.certificate?.rootKey ?? signer.key;
    return this.rootKeys.some((k) => k.equals(vouching)) ? null : vouching.multibase;
  }

  /** Compare with what the server offers now; a different key is reported, never adopted. */
  async checkServerRoot() {
    if (!this.online || !this.rootKeys.length) return;
    try {
      const response = await fetch('/root-key', { cache: 'no-store' });
      if (!response.ok) return;
      const offered = parseJsonBytes(new Uint8Array(await response.arrayBuffer()), 'the root key');
      const key = String(get(offered, 'publicKeyMultibase'));
      const pinned = this.rootKeys.some((k) => k.multibase === key);
      const successor = !pinned && (await this.rotatedTo(offered, key));
      this.rootMismatch = pinned || successor ? null : key;
      this.serverSuccessor = successor ? key : null;
    } catch {
      // offline
    }
  }

  /** Whether a pinned root rotated to `key` (the server's root) by the statements `offered`
   * carries, each signed by the root it leaves (after the offline-root ceremony the server names
   * the new root). The pin itself never moves. */
  async rotatedTo(offered, key) {
    try {
      const roots = await trustedRoots(offered, this.rootKeys);
      return roots.has(PublicKey.fromMultibase(key).verificationMethod);
    } catch {
      return false; // a malformed key or a broken chain: not ours to follow
    }
  }

  setManualRoot(text) {
    return this.#inTurn(() => this.#setManualRoot(text));
  }

  async #setManualRoot(text) {
    const key = PublicKey.fromMultibase(text.trim());
    await this.pin([key.multibase], 'manual');
    this.rootMismatch = null;
    this.serverSuccessor = null;
    if (this.bundle && !this.bundle.rootKey.equals(key)) {
      this.bundle = null;
      this.bundleText = null;
      await this.store.delete('bundle');
    }
  }

  forget() {
    return this.#inTurn(() => this.#forget());
  }

  async #forget() {
    await this.store.clear();
    this.rootKeys = [];
    this.rootSource = null;
    this.rootOrigin = null;
    this.rootPinnedAt = null;
    this.rootMismatch = null;
    this.serverSuccessor = null;
    this.bundle = null;
    this.bundleText = null;
    await this.loadRootKeys();
  }

  /**
   * Consider a bundle (bytes). Returns {kind: 'updated'|'current'|'older'|'refused', ...}; only
   * a verified bundle with a higher sequence than the current one replaces it. One at a time:
   * each reads the highest sequence kept and writes it back, so two at once (the page's refresh
   * and a file dropped on it) could leave the lower one kept.
   */
  accept(bytes) {
    return this.#inTurn(() => this.#acceptOne(bytes));
  }

  /** `work` once everything queued before it is done: a bundle check that read the store must
   * not write after Forget cleared it or a key set by hand replaced the pin. */
  #inTurn(work) {
    const turn = this.queue.then(work);
    this.queue = turn.catch(() => {});
    return turn;
  }

  async #acceptOne(bytes) {
    let document;
    try {
      document = parseJsonBytes(bytes, 'the bundle');
    } catch (error) {
      if (error instanceof ReadError) return { kind: 'refused', code: 'BUNDLE_NOT_JSON', message: error.message };
      throw error;
    }
    // Kept per pinned root the bundle's trust descends from (as credentials/bundle.py), which is
    // not its signer once a certified bundle key signs.
    let highest = null;
    const highestFor = async (anchor) => {
      highest = (await this.store.get(`seq:${anchor.multibase}`)) ?? null;
      return highest;
    };
    let bundle;
    try {
      bundle = await loadBundle(document, this.rootKeys, { highestSequence: highestFor });
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      if (error.code === 'BUNDLE_ROLLBACK') return { kind: 'older', offered: Number(get(document, 'sequence')), kept: highest };
      return { kind: 'refused', code: error.code, message: error.message };
    }
    const key = `seq:${bundle.rootKey.multibase}`;
    await this.store.set(key, Math.max(bundle.sequence, highest ?? bundle.sequence));
    if (this.bundle && this.bundle.rootKey.equals(bundle.rootKey) && bundle.sequence <= this.bundle.sequence) {
      return bundle.sequence === this.bundle.sequence ? { kind: 'current' } : { kind: 'older', offered: bundle.sequence, kept: this.bundle.sequence };
    }
    this.bundle = bundle;
    this.bundleText = new TextDecoder().decode(bytes);
    await this.store.set('bundle', this.bundleText);
    return { kind: 'updated', sequence: bundle.sequence };
  }

  /** Fetch /bundle.json (through the service worker, which falls back to its copy offline). */
  async refresh() {
    if (!this.online) return { kind: 'offline' };
    let response;
    try {
      response = await fetch('/bundle.json', { cache: 'no-cache' });
    } catch {
      return { kind: 'offline' };
    }
    if (!response.ok) return { kind: 'offline' };
    const outcome = await this.accept(new Uint8Array(await response.arrayBuffer()));
    // The service worker answers from its copy when the server is unreachable, and says so.
    if (response.headers.get('x-dte-offline') && outcome.kind !== 'updated') return { kind: 'offline' };
    return outcome;
  }
}
