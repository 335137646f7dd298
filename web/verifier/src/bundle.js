// The trust bundle: verified against the pinned root key(s) and parsed as credentials/bundle.py
// does (same order of checks, same error codes). A bundle is only ever used after this.

import bundleSchema from '../../../credentials/schemas/trust-bundle.schema.json' with { type: 'json' };
import { KeyFormatError, PublicKey } from './keys.js';
import { COSIGNATURE_V1, ED25519, parseVkey } from './note.js';
import { get, isObject } from './json.js';
import { proofOf, verificationMethodOf, verifyProof } from './proof.js';
import { compileSchema } from './schema.js';
import { ChainError, bundleSigner, checkWindow } from './rootchain.js';
import { parseStatusListCredential } from './statuslist.js';
import { nowUs, parseDate8601, parseTimestamp } from './time.js';

const validateBundleSchema = compileSchema(bundleSchema);
// 2 added each institution's numberPrefix and statusRanges; format 1 cannot tie a certificate to
// its issuer, so it is refused (credentials/bundle.py FORMAT_VERSION).
export const FORMAT_VERSION = 2;

export class BundleError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

class CodedError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function parseInstitutions(items) {
  const institutions = new Map();
  const methods = new Set();
  for (const item of items) {
    const id = item.id;
    if (institutions.has(id)) throw new BundleError('BUNDLE_INVALID', `institution ${id} is listed twice`);
    const listings = [];
    const keys = [];
    let statusRanges;
    try {
      for (const period of item.listings) {
        const start = parseDate8601(period.from);
        const end = period.until !== null ? parseDate8601(period.until) : null;
        if (end !== null && end < start) throw new Error('a listing period ends before it starts');
        const scope = period.scope.map((s) => ({ occupation: s.occupation, level: s.level, direction: s.direction }));
        listings.push({ start, end, scope });
      }
      for (const entry of item.keys) {
        const key = PublicKey.fromMultibase(entry.publicKeyMultibase);
        if (entry.verificationMethod !== key.verificationMethod) throw new Error('verificationMethod does not name publicKeyMultibase');
        const validFrom = parseTimestamp(entry.validFrom);
        const validUntil = entry.validUntil !== null ? parseTimestamp(entry.validUntil) : null;
        if (validUntil !== null && validUntil <= validFrom) throw new Error("a key's validUntil is not after its validFrom");
        if (methods.has(key.verificationMethod)) throw new Error('a key appears twice in the bundle');
        methods.add(key.verificationMethod);
        const compromisedAt = entry.compromisedAt !== undefined ? parseTimestamp(entry.compromisedAt) : null;
        if (compromisedAt !== null && entry.logSizeAtCompromise === undefined) throw new Error('a compromised key needs logSizeAtCompromise');
        keys.push({
          publicKey: key,
          validFrom,
          validUntil,
          institutionId: id,
          logSizeAtRetirement: entry.logSizeAtRetirement ?? null,
          compromisedAt,
          logSizeAtCompromise: entry.logSizeAtCompromise ?? null,
        });
      }
      statusRanges = item.statusRanges.map((r) => ({ url: r.statusListCredential, start: Number(r.from), end: Number(r.until) }));
      if (statusRanges.some((r) => r.end <= r.start)) throw new Error("a status range's until is not after its from");
    } catch (error) {
      throw new BundleError('BUNDLE_INVALID', `institution ${id}: ${error.message}`);
    }
    const numberPrefix = item.numberPrefix;
    institutions.set(id, { id, name: item.name, kind: item.kind, province: item.province, listings, keys, numberPrefix, statusRanges });
  }
  const shared = overlap(institutions.values());
  // Two owners of one index would let one institution's certificate pass as the other's.
  if (shared !== null) throw new BundleError('BUNDLE_INVALID', `two status ranges overlap in ${shared.slice(0, 200)}`);
  return institutions;
}

/** The bundle's `logs` and `witnesses` (credentials/_bundle_log.py), or BundleError BUNDLE_INVALID. */
async function parseLogMembers(document) {
  const logs = [];
  const witnesses = [];
  try {
    for (const item of document.logs ?? []) {
      let key;
      try {
        key = await parseVkey(item.key);
      } catch (error) {
        throw new Error(`log ${String(item.origin).slice(0, 100)}: ${error.message}`);
      }
      if (key.type !== ED25519) throw new Error('a log key signs notes (signature type 0x01)');
      const validFrom = parseTimestamp(item.validFrom);
      const validUntil = item.validUntil !== null ? parseTimestamp(item.validUntil) : null;
      if (validUntil !== null && validUntil <= validFrom) throw new Error("a log key's validUntil is not after its validFrom");
      logs.push({ origin: item.origin, key, validFrom, validUntil });
    }
    for (const item of document.witnesses ?? []) {
      let key;
      try {
        key = await parseVkey(item.key);
      } catch (error) {
        throw new Error(`a witness key: ${error.message}`);
      }
      if (key.type !== COSIGNATURE_V1) throw new Error('a witness key is a cosignature/v1 key (signature type 0x04)');
      witnesses.push(key);
    }
  } catch (error) {
    throw new BundleError('BUNDLE_INVALID', error.message.slice(0, 300));
  }
  return { logs, witnesses };
}

/** The first status list two ranges of the bundle share an index of, or null. */
function overlap(institutions) {
  const byList = new Map();
  for (const institution of institutions) {
    for (const r of institution.statusRanges) {
      if (!byList.has(r.url)) byList.set(r.url, []);
      byList.get(r.url).push([r.start, r.end]);
    }
  }
  for (const [url, spans] of byList) {
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 1; i < spans.length; i += 1) if (spans[i][0] < spans[i - 1][1]) return url;
  }
  return null;
}

export class TrustBundle {
  constructor(fields) {
    Object.assign(this, fields);
    this.statusCache = new Map();
  }

  institution(id) {
    return this.institutions.get(id) ?? null;
  }

  key(verificationMethod) {
    return this.keys.get(verificationMethod) ?? null;
  }

  /** Whether `number` (a certificate number) carries the institution's digits (positions 2-7). */
  numbers(institution, number) {
    const prefix = institution.numberPrefix;
    // An ASCII first character: positions 2-7 are then the same whether counted in UTF-16
    // units (here) or in code points (credentials/bundle.py).
    if (prefix === null || typeof number !== 'string' || number.length === 0 || number.charCodeAt(0) > 0x7f) return false;
    return number.slice(1, 7) === prefix;
  }

  /** Whether `index` of the list at `url` lies in one of the institution's own ranges. */
  ownsStatus(institutionId, url, index) {
    const institution = this.institutions.get(institutionId);
    return institution !== undefined && institution.statusRanges.some((r) => r.url === url && r.start <= index && index < r.end);
  }

  occupationName(code) {
    return this.occupationCodes.get(code)?.name ?? null;
  }

  sameOccupation(a, b) {
    if (a === b) return true;
    const occupation = this.occupationCodes.get(a);
    return occupation !== undefined && occupation.codes.includes(b);
  }

  scopeMatch(period, occupation, level, direction) {
    return (
      period.scope.find(
        (s) => s.level === level && this.sameOccupation(s.occupation, occupation) && (s.direction === null || s.direction === direction),
      ) ?? null
    );
  }

  statusListCredential(url) {
    const lists = get(this.document, 'statusLists');
    const credential = isObject(lists) ? get(lists, url) : undefined;
    return isObject(credential) ? credential : null;
  }

  /** The decoded list at `url` after its own proof by a pinned root key; throws {code}. */
  async statusList(url) {
    if (!this.statusCache.has(url)) {
      this.statusCache.set(
        url,
        this.loadStatusList(url).then(
          (list) => ({ list }),
          (error) => ({ error }),
        ),
      );
    }
    const { list, error } = await this.statusCache.get(url);
    if (error) throw error;
    return list;
  }

  async loadStatusList(url) {
    const credential = this.statusListCredential(url);
    if (credential === null) throw new CodedError('STATUS_LIST_MISSING', `the bundle has no status list ${url}`);
    if (get(credential, 'id') !== url) throw new CodedError('STATUS_LIST_CREDENTIAL', 'status list id is not its URL');
    const method = verificationMethodOf(credential);
    // The bundle's own signer (a certified bundle key when the root is offline) or a root.
    const signer = [this.signer.key, ...this.signer.roots].find((k) => k.verificationMethod === method);
    if (!signer) throw new CodedError('STATUS_LIST_UNTRUSTED_KEY', "status list is not signed by a pinned root key or the bundle's signer");
    const check = await verifyProof(credential, signer);
    if (!check.ok) throw new CodedError('STATUS_LIST_SIGNATURE', `status list signature invalid: ${check.message}`);
    return parseStatusListCredential(credential);
  }

  /** [validFrom, validUntil] of the list in µs, null where absent or unparseable. */
  statusListValidity(url) {
    const credential = this.statusListCredential(url) ?? {};
    return ['validFrom', 'validUntil'].map((name) => {
      try {
        return parseTimestamp(get(credential, name));
      } catch {
        return null;
      }
    });
  }
}

/**
 * Verify and parse a bundle document; BundleError when it must not be trusted.
 * Who may sign it: a pinned root, a root one rotated to, or a bundle key one of them certified
 * (rootchain.js). `highestSequence`: the highest sequence already accepted under the pinned root
 * the trust descends from (or null), or an async function of that root (a PublicKey) giving it —
 * the root is known only once the chain is checked, and after the offline-root ceremony it is not
 * the bundle's signer; a lower one is refused (BUNDLE_ROLLBACK). Recording the new one is the
 * caller's job. `now` (µs since the epoch; default the clock): a certified bundle
 * key's certificate must still be valid then.
 */
export async function loadBundle(document, rootKeys, { highestSequence = null, now = null } = {}) {
  if (!isObject(document)) throw new BundleError('BUNDLE_NOT_OBJECT', 'the trust bundle is not a JSON object');
  if (!rootKeys.length) throw new BundleError('BUNDLE_NO_ROOT_KEY', 'no root key pinned: a bundle is never trusted blind');
  const method = verificationMethodOf(document);
  if (method === null) throw new BundleError('BUNDLE_UNSIGNED', 'the trust bundle has no usable proof');
  let chain;
  try {
    chain = await bundleSigner(document, method, rootKeys);
  } catch (error) {
    if (!(error instanceof ChainError)) throw error;
    throw new BundleError(error.code, error.message);
  }
  const signer = chain.anchor;
  const check = await verifyProof(document, chain.key);
  if (!check.ok) throw new BundleError('BUNDLE_SIGNATURE_INVALID', `the bundle's signature does not verify: ${check.message}`);
  if (get(document, 'formatVersion') !== FORMAT_VERSION) {
    throw new BundleError(
      'BUNDLE_FORMAT_UNSUPPORTED',
      `the bundle's formatVersion is not ${FORMAT_VERSION}: it does not state which certificate numbers and status indices are each institution's; get a current bundle`,
    );
  }
  const problems = validateBundleSchema(document);
  if (problems.length) {
    throw new BundleError('BUNDLE_SCHEMA', `the bundle does not match its schema (${problems.length} problems): /${problems[0].path} ${problems[0].message}`);
  }
  const institutions = parseInstitutions(document.institutions);
  const { logs, witnesses } = await parseLogMembers(document);
  let issued;
  try {
    issued = parseTimestamp(document.issued);
  } catch {
    throw new BundleError('BUNDLE_INVALID', "the bundle's issued time is not a date-time");
  }
  if (chain.certificate !== null) {
    try {
      checkWindow(chain.certificate, issued, now ?? nowUs());
    } catch (error) {
      throw new BundleError(error.code, error.message);
    }
  }
  const occupations = document.occupations.map((o) => ({ codes: [...o.codes], name: o.name }));
  const occupationCodes = new Map();
  for (const occupation of occupations) {
    for (const code of occupation.codes) if (!occupationCodes.has(code)) occupationCodes.set(code, occupation);
  }
  const sequence = Number(document.sequence);
  const highest = typeof highestSequence === 'function' ? await highestSequence(signer) : highestSequence;
  if (highest !== null && highest !== undefined && sequence < highest) {
    throw new BundleError(
      'BUNDLE_ROLLBACK',
      `bundle sequence ${sequence} is lower than ${highest}, already accepted: an older bundle may hide revocations`,
    );
  }
  const keys = new Map();
  for (const institution of institutions.values()) for (const key of institution.keys) keys.set(key.publicKey.verificationMethod, key);
  return new TrustBundle({
    document,
    issued,
    sequence,
    rootKey: signer,
    pinnedRootKeys: [...rootKeys],
    signer: chain,
    institutions,
    occupations,
    keys,
    occupationCodes,
    logs,
    witnesses,
    proofCreated: get(proofOf(document), 'created') ?? null,
  });
}

export { KeyFormatError };
