// The page: trust status, the certificate input (camera, QR image, file, paste, ID number) and the
// report. Everything is built with DOM calls and textContent: nothing from a certificate or a
// bundle is ever parsed as HTML.

import { cameraAvailable, scan } from './camera.js';
import { runCorpus } from './corpus.js';
import { STRINGS, explain } from './i18n.js';
import { describe, shown } from './describe.js';
import { DetachedSignatureError, verifyDetached } from './detached.js';
import { toHex } from './encoding.js';
import { sha256 } from './crypto.js';
import { get } from './json.js';
import { warmUpQr } from './qr.js';
import { MAX_INPUT_BYTES, ReadError, parseJsonBytes, readCredential, readCredentialText } from './read.js';
import { isCeRecord, verifyRecord } from './record.js';
import { openStore } from './store.js';
import { SECOND, formatTimestamp, nowUs, parseTimestamp } from './time.js';
import { Trust } from './trust.js';
import { DEFAULT_BUNDLE_MAX_AGE, verifyCredential } from './verifier.js';

/* global __DTE_CONFIG__ */
const CONFIG = typeof __DTE_CONFIG__ === 'object' ? __DTE_CONFIG__ : { rootKeys: [], warnDays: 3, version: 'dev' };
const fromFile = location.protocol === 'file:';
const INITIAL_HTML = '<!doctype html>\n' + document.documentElement.outerHTML;
const MAX_WITNESSES = 9;

/** The witness cosignatures to require, from any stored or typed value: a whole number 0–9. */
function witnessCount(value) {
  return Math.min(MAX_WITNESSES, Math.max(0, Math.floor(Number(value)) || 0));
}

// Preferences only (language, warning age); where storage is refused the defaults apply.
function pref(name, value) {
  try {
    if (value === undefined) return localStorage.getItem(name);
    localStorage.setItem(name, value);
  } catch {
    // storage refused: nothing is remembered
  }
  return null;
}

const state = {
  lang: pickLanguage(),
  trust: null,
  credential: null,
  report: null,
  notice: null, // {kind: 'info'|'warn'|'error', text}
  busy: null,
  scanning: null,
  offline: fromFile ? 'copy' : 'pending',
  warnDays: Number(pref('dte-warn-days')) || CONFIG.warnDays,
  requireWitnesses: witnessCount(pref('dte-witnesses') ?? embeddedData()?.settings?.requireWitnesses), // cosignatures in_log asks for
  loaded: false, // a credential was read (state.credential may be any JSON value, null too)
  runs: 0, // reports shown so far: lets a test wait for the next one
  detached: { open: false, data: null, signature: null }, // an open data file and its .sig: {name, bytes}
  settingsOpen: false, // kept open across re-renders while the user changes a setting
};

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'en' || asked === 'zh') return asked;
  const stored = pref('dte-lang');
  return stored === 'en' ? 'en' : 'zh';
}

const t = () => STRINGS[state.lang];

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// --- formatting ------------------------------------------------------------------------------

function ageText(us) {
  let seconds = Number((us < 0n ? -us : us) / SECOND);
  const d = Math.floor(seconds / 86400);
  seconds -= d * 86400;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return t().age(d, hours, minutes);
}

function chinaTime(us) {
  const text = formatTimestamp(us + 8n * 3600n * SECOND);
  return text.slice(0, 16).replace('T', ' ');
}

// --- actions ---------------------------------------------------------------------------------

// Checks may overlap (a slow QR image, then a file): only the latest one started is shown, and
// choosing another input or clearing the device's data drops any still running.
let latest = 0;

/** Start a check (`busy`: the name of the string saying what it does, shown in the language of the
 * moment); a re-check (`keepNotice`) leaves the notice that caused it (a bundle loaded, a setting
 * changed) on screen. */
function begin(busy, { keepNotice = false } = {}) {
  latest += 1;
  Object.assign(state, { busy, report: null }, keepNotice ? {} : { notice: null });
  render();
  return latest;
}

/** Show a check's outcome (`changes` to the state) if it is still the latest; whether it was. */
function finish(token, changes) {
  if (token !== latest) return false;
  Object.assign(state, changes, { busy: null, runs: state.runs + 1 });
  render();
  document.getElementById('result')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  return true;
}

function drop() {
  latest += 1;
  state.busy = null;
}

function unreadableNotice(error) {
  const s = t();
  const plain = error instanceof ReadError ? (s.readErrors[error.code] ?? s.readErrors.other) : '';
  return { kind: 'error', text: s.unreadable(`${plain} (${error?.message ?? error})`) };
}

/** Read an input (`read` gives the credential) and verify it. */
async function verifyInput(read) {
  const token = begin('reading');
  let credential;
  try {
    credential = await read();
  } catch (error) {
    finish(token, { report: null, credential: null, loaded: false, notice: unreadableNotice(error) });
    return;
  }
  if (token !== latest) return;
  Object.assign(state, { credential, loaded: true });
  await runVerification();
}

/** Verify the current credential (again: the ID number, the bundle or a setting may have
 * changed; `keepNotice` for those) and show the report. */
async function runVerification({ keepNotice = false } = {}) {
  if (!state.loaded) return;
  const token = begin('verifying', { keepNotice });
  const card = document.getElementById('id-number')?.value.trim() || null;
  const report = isCeRecord(state.credential)
    ? await recordReport(state.credential, card)
    : await verifyCredential(state.credential, { bundle: state.trust.bundle, cardNumber: card, requireWitnesses: state.requireWitnesses });
  finish(token, { report });
}

// A continuing-education record is signed for the registry and carries its chain from the root
// key: it is checked against the pinned root alone (record.js), not as a certificate. Shown as a
// report of two checks, the registry's signature and the holder binding.

/** The page's report of a record: verdict, the two checks, the description. */
async function recordReport(credential, card) {
  const roots = state.trust.rootKeys;
  if (!roots.length) {
    const binding = { name: 'holder_binding', status: 'SKIPPED', code: 'NOT_EVALUATED', message: 'not evaluated: no root key', details: {} };
    return { kind: 'record', verdict: 'UNVERIFIED', checks: [noRootKey(), binding], description: describe(credential, state.trust.bundle, false) };
  }
  const found = await verifyRecord(credential, roots, { cardNumber: card });
  const signer = found.signer ? signerCheck(found.signer) : signerFailure(found.code, found.message);
  // The signer passes and the record is not valid: its holder binding failed.
  const verdict = found.valid ? 'VALID' : signer.status === 'PASS' ? 'INVALID' : signedVerdict(signer);
  return { kind: 'record', verdict, checks: [signer, found.binding], description: describe(credential, state.trust.bundle, found.valid) };
}

// An open data file and its detached signature (.sig), checked against the pinned root alone
// (detached.js, as `registry verify FILE --signature FILE.sig --root-key …`, with its size limit).

/** Keep the chosen file of `which` ('data' or 'signature'); check both once both are chosen. */
async function chooseDetached(which, event) {
  const file = event.target.files?.[0];
  event.target.value = '';
  if (!file) return;
  const token = begin('reading');
  Object.assign(state, { credential: null, loaded: false });
  state.detached[which] = null;
  if (file.size > MAX_INPUT_BYTES) {
    finish(token, { notice: { kind: 'error', text: t().unreadable(t().readErrors.READ_TOO_LARGE) } });
    return;
  }
  try {
    state.detached[which] = { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
  } catch (error) {
    finish(token, { notice: unreadableNotice(error) });
    return;
  }
  if (!(state.detached.data && state.detached.signature)) finish(token, {});
  else await checkDetached(token);
}

/** Check the chosen pair and show the report (if no other check started meanwhile). */
async function checkDetached(token) {
  const { data, signature } = state.detached;
  try {
    finish(token, { report: await detachedReport(data, signature) });
  } catch (error) {
    finish(token, { notice: unreadableNotice(error) });
  }
}

/** The report of `data` against `signature` (both {name, bytes}); ReadError when the signature
 * file is not JSON. Never throws otherwise: a verifier bug is a VERIFIER_ERROR check. */
async function detachedReport(data, signature) {
  const parsed = parseJsonBytes(signature.bytes, signature.name);
  const signs = get(parsed, 'signs');
  const file = { name: data.name, signature: signature.name, signs: typeof signs === 'string' ? signs : null, sha256: toHex(await sha256(data.bytes)) };
  if (!state.trust.rootKeys.length) return { kind: 'detached', verdict: 'UNVERIFIED', file, checks: [noRootKey()] };
  let check;
  try {
    check = signerCheck(await verifyDetached(data.bytes, parsed, state.trust.rootKeys, nowUs()));
  } catch (error) {
    if (!(error instanceof DetachedSignatureError)) error = { code: 'VERIFIER_ERROR', message: `the verifier failed: ${error?.message ?? error}` };
    check = signerFailure(error.code, error.message);
  }
  return { kind: 'detached', verdict: signedVerdict(check), file, checks: [check] };
}

// The page's own check for what the registry signs (records, detached signatures): the chain
// from the pinned root to the signer. REGISTRY_SIGNED and NO_ROOT_KEY are the page's codes.
function signerCheck(signer) {
  const details = { certifiedUntil: signer.certificate ? signer.certificate.validUntil : null };
  return { name: 'registry_signer', status: 'PASS', code: 'REGISTRY_SIGNED', message: `signed by ${signer.key.multibase} for the root ${signer.anchor.multibase}`, details };
}

function noRootKey() {
  return { name: 'registry_signer', status: 'UNKNOWN', code: 'NO_ROOT_KEY', message: 'no pinned root key', details: {} };
}

/** The signer check of a refusal (`code`): FAIL, or UNKNOWN when the verifier itself failed. */
function signerFailure(code, message) {
  return { name: 'registry_signer', status: code === 'VERIFIER_ERROR' ? 'UNKNOWN' : 'FAIL', code, message, details: {} };
}

/** The verdict the signer check alone gives: VALID, INVALID, or UNVERIFIED when it is unknown. */
function signedVerdict(check) {
  return { PASS: 'VALID', FAIL: 'INVALID' }[check.status] ?? 'UNVERIFIED';
}

async function readFileInput(event) {
  const file = event.target.files?.[0];
  event.target.value = '';
  if (file) await verifyInput(async () => readCredential(new Uint8Array(await file.arrayBuffer())));
}

async function loadBundleFile(event) {
  const file = event.target.files?.[0];
  event.target.value = '';
  if (!file) return;
  try {
    reportBundleOutcome(await state.trust.accept(new Uint8Array(await file.arrayBuffer())));
  } catch (error) {
    state.notice = unreadableNotice(error);
    render();
    return;
  }
  await runVerification({ keepNotice: true });
}

function reportBundleOutcome(outcome) {
  const s = t();
  const notices = {
    updated: () => ({ kind: 'info', text: s.bundleUpdated(outcome.sequence) }),
    current: () => ({ kind: 'info', text: s.bundleCurrent }),
    offline: () => ({ kind: 'info', text: s.bundleOffline }),
    older: () => ({ kind: 'warn', text: s.bundleOlderIgnored(outcome.offered, outcome.kept) }),
    refused: () => ({ kind: 'error', text: s.bundleRefused(`${outcome.message} (${outcome.code})`) }),
  };
  state.notice = notices[outcome.kind]();
  render();
}

async function refreshBundle() {
  reportBundleOutcome(await state.trust.refresh());
  await state.trust.checkServerRoot();
  render();
  // Scripting and tests: how many times the server's root key has been compared so far.
  document.body.dataset.rootChecks = String(Number(document.body.dataset.rootChecks ?? 0) + 1);
}

async function toggleScan() {
  if (state.scanning) {
    state.scanning.stop();
    return;
  }
  if (!cameraAvailable()) {
    state.notice = { kind: 'error', text: t().cameraUnavailable };
    render();
    return;
  }
  render(); // make sure the video element exists
  const video = document.getElementById('camera');
  state.scanning = scan(video);
  render();
  let text = null;
  try {
    text = await state.scanning.done;
  } catch {
    state.notice = { kind: 'error', text: t().cameraUnavailable };
  }
  state.scanning = null;
  render();
  if (text) await verifyInput(() => readCredentialText(text));
}

function downloadCopy() {
  // The page itself plus what this device trusts, so the copy works anywhere without a network.
  const embedded = {
    rootKeys: state.trust.rootKeys.map((k) => k.multibase),
    rootPinnedAt: state.trust.rootPinnedAt,
    rootSource: state.trust.rootSource === 'copy' ? state.trust.rootOrigin : state.trust.rootSource,
    bundle: state.trust.bundleText,
    settings: { requireWitnesses: state.requireWitnesses, warnDays: state.warnDays },
  };
  const data = JSON.stringify(embedded).replace(/</g, '\\u003c');
  // Only the head is edited: the script itself contains these very strings.
  const cut = INITIAL_HTML.indexOf('</head>');
  const head = INITIAL_HTML.slice(0, cut).replace(/<script type="application\/json" id="dte-embedded">[^]*?<\/script>/, '');
  const html = `${head}<script type="application/json" id="dte-embedded">${data}</script>${INITIAL_HTML.slice(cut)}`;
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
  const a = h('a', { href: url, download: 'dte-verifier.html' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- rendering -------------------------------------------------------------------------------

function renderHeader(s) {
  return h(
    'header',
    {},
    h('div', { class: 'bar' }, h('h1', {}, s.title), h('button', { class: 'lang', id: 'lang', type: 'button', onclick: switchLanguage }, s.switchLanguage)),
    h('p', { class: 'subtitle' }, s.subtitle),
  );
}

function switchLanguage() {
  state.lang = state.lang === 'zh' ? 'en' : 'zh';
  pref('dte-lang', state.lang);
  render();
}

function renderTrust(s) {
  const trust = state.trust;
  const items = [];
  if (!trust.rootKeys.length) items.push(h('p', { class: 'alert error' }, s.noRootKey));
  else {
    const source = {
      build: s.rootFromBuild,
      manual: s.rootManual,
      copy: s.rootSavedCopy,
      tofu: s.rootTofu(trust.rootPinnedAt ? trust.rootPinnedAt.slice(0, 10) : '?'),
    }[trust.rootSource];
    if (trust.rootSource === 'tofu' || trust.rootOrigin === 'tofu') items.push(h('p', { class: 'alert warn', id: 'tofu-warning' }, s.tofuWarning));
    items.push(h('p', { class: 'key' }, h('span', { class: 'label' }, s.rootKey + s.colon), h('code', { id: 'root-key' }, trust.rootKeys.map((k) => k.multibase).join(' ')), s.paren(source)));
  }
  if (trust.rootMismatch) items.push(h('p', { class: 'alert error', id: 'root-mismatch' }, s.rootMismatch(shown(trust.rootMismatch))));
  if (trust.rootSuccessor) items.push(h('p', { class: 'alert warn', id: 'root-successor' }, s.rootSuccessor(shown(trust.rootSuccessor))));
  const bundle = trust.bundle;
  if (!bundle) items.push(h('p', { class: 'alert error', id: 'bundle-status' }, s.noBundle));
  else {
    const age = nowUs() - bundle.issued;
    items.push(h('p', { id: 'bundle-status', 'data-sequence': bundle.sequence }, h('span', { class: 'label' }, s.trustTitle + s.colon), s.bundleLine(bundle.sequence, chinaTime(bundle.issued), ageText(age))));
    if (age > DEFAULT_BUNDLE_MAX_AGE) items.push(h('p', { class: 'alert error', id: 'bundle-age' }, s.bundleTooOld));
    else if (age > BigInt(Math.round(state.warnDays * 86400)) * SECOND) items.push(h('p', { class: 'alert warn', id: 'bundle-age' }, s.bundleOld(state.warnDays)));
  }
  const buttons = h(
    'div',
    { class: 'buttons' },
    !fromFile && h('button', { type: 'button', id: 'refresh', onclick: refreshBundle }, s.refresh),
    h('label', { class: 'button' }, s.loadBundle, h('input', { type: 'file', id: 'bundle-file', accept: '.json,application/json', onchange: loadBundleFile })),
    h('button', { type: 'button', id: 'download-copy', onclick: downloadCopy, disabled: !bundle }, s.downloadCopy),
  );
  return h('section', { class: 'trust' }, h('h2', {}, s.trustTitle), items, buttons, renderSettings(s));
}

/** Settings: the warning age, the witness cosignatures required, the root key by hand, Forget. */
function renderSettings(s) {
  const manual = !(CONFIG.rootKeys.length || state.trust.rootSource === 'copy');
  return h(
    'details',
    { class: 'settings', open: state.settingsOpen, ontoggle: (e) => (state.settingsOpen = e.target.open) },
    h('summary', {}, s.settings),
    numberSetting(s.warnDays, { min: 1, max: 7, value: state.warnDays }, (e) => {
      state.warnDays = Math.min(7, Math.max(1, Number(e.target.value) || CONFIG.warnDays));
      pref('dte-warn-days', String(state.warnDays));
      render();
    }),
    numberSetting(s.requireWitnesses, { id: 'require-witnesses', min: 0, max: MAX_WITNESSES, value: state.requireWitnesses }, async (e) => {
      state.requireWitnesses = witnessCount(e.target.value);
      pref('dte-witnesses', String(state.requireWitnesses));
      render();
      await runVerification({ keepNotice: true });
    }),
    manual && h('form', { onsubmit: setRootByHand }, h('label', {}, s.setRootKey, h('input', { name: 'root', autocomplete: 'off', spellcheck: 'false' })), h('button', { type: 'submit' }, s.useRootKey)),
    h('button', { type: 'button', class: 'danger', onclick: () => forgetDevice(s) }, s.forget),
  );
}

function numberSetting(label, { id, min, max, value }, onchange) {
  return h('label', {}, label, h('input', { type: 'number', id, min: String(min), max: String(max), value, onchange }));
}

async function setRootByHand(e) {
  e.preventDefault();
  try {
    await state.trust.setManualRoot(e.target.elements.root.value);
    state.notice = null;
  } catch (error) {
    state.notice = { kind: 'error', text: error.message };
  }
  render();
}

/** Clear this device's data (after asking): the pinned key, the bundle, what is on screen. */
async function forgetDevice(s) {
  if (!confirm(s.forgetConfirm)) return;
  drop();
  Object.assign(state, { report: null, notice: null, credential: null, loaded: false });
  state.detached = { open: false, data: null, signature: null };
  await state.trust.forget();
  render();
}

function renderInput(s) {
  return h(
    'section',
    { class: 'input' },
    h('h2', {}, s.inputTitle),
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', id: 'scan', class: 'primary', onclick: toggleScan }, state.scanning ? s.stopScan : s.scan),
      h('label', { class: 'button' }, s.uploadQr, h('input', { type: 'file', id: 'qr-file', accept: 'image/*', onchange: readFileInput })),
      h('label', { class: 'button' }, s.openFile, h('input', { type: 'file', id: 'credential-file', accept: '.json,.txt,application/json,text/plain,image/*', onchange: readFileInput })),
    ),
    h('div', { class: state.scanning ? 'camera on' : 'camera' }, h('video', { id: 'camera', playsinline: true, muted: true }), h('p', {}, s.cameraHint)),
    h(
      'label',
      { class: 'field' },
      s.idLabel,
      h('input', {
        id: 'id-number',
        type: 'text',
        inputmode: 'text',
        autocomplete: 'off',
        autocapitalize: 'characters',
        spellcheck: 'false',
        maxlength: '24',
        placeholder: s.idPlaceholder,
        onkeydown: (e) => e.key === 'Enter' && runVerification(),
      }),
    ),
    state.loaded && h('button', { type: 'button', id: 'check-id', onclick: () => runVerification() }, s.checkId),
    h('label', { class: 'field' }, s.pasteLabel, h('textarea', { id: 'paste', rows: '3', spellcheck: 'false' })),
    h('button', { type: 'button', id: 'verify-paste', onclick: () => verifyInput(() => readCredentialText(document.getElementById('paste').value)) }, s.verifyPasted),
    renderDetachedInput(s),
  );
}

function renderDetachedInput(s) {
  const chosen = (which) => state.detached[which]?.name ?? s.noFileChosen;
  return h(
    'details',
    { class: 'detached', id: 'detached', open: state.detached.open, ontoggle: (e) => (state.detached.open = e.target.open) },
    h('summary', {}, s.detachedTitle),
    h('p', { class: 'small' }, s.detachedHint),
    h('div', { class: 'buttons' },
      h('label', { class: 'button' }, s.dataFile, h('input', { type: 'file', id: 'data-file', onchange: (e) => chooseDetached('data', e) })),
      h('label', { class: 'button' }, s.signatureFile, h('input', { type: 'file', id: 'signature-file', accept: '.sig,.json,application/json', onchange: (e) => chooseDetached('signature', e) })),
    ),
    h('p', { class: 'small', id: 'detached-chosen' }, `${s.dataFile}${s.colon}${chosen('data')} · ${s.signatureFile}${s.colon}${chosen('signature')}`),
  );
}

function facts(report, check) {
  const bundle = state.trust.bundle;
  const issuerId = get(check.details, 'issuer') ?? get(report.checks.find((c) => c.name === 'issuer_key')?.details, 'issuer');
  const institution = bundle && typeof issuerId === 'string' ? bundle.institution(issuerId) : null;
  const status = report.checks.find((c) => c.name === 'status');
  return {
    institution: institution ? institution.name : t().issuerUnknown,
    date: get(check.details, 'issuanceDate') ?? '',
    retiredKey: get(check.details, 'retiredKey'),
    certifiedUntil: typeof get(check.details, 'certifiedUntil') === 'bigint' ? chinaTime(check.details.certifiedUntil) + t().chinaTime : null,
    age: status?.details?.bundleAgeSeconds !== undefined ? ageText(BigInt(status.details.bundleAgeSeconds) * SECOND) : '',
  };
}

function issuedText(s, text) {
  try {
    return chinaTime(parseTimestamp(text)) + s.chinaTime;
  } catch {
    return undefined;
  }
}

function renderDescription(s, report) {
  // Whose credential this is, from the report's description (describe.js, as credentials/
  // description.py): claims unless the verdict is VALID, the issuer's name from the bundle.
  // Every value is the credential's text: only ever a text node.
  const described = report.description;
  if (!described) return null;
  const kind = s.kinds[described.kind];
  const title = described.confirmed ? s.describedConfirmed(kind) : s.describedClaims(kind);
  const value = (name, text) => {
    if (name === 'level') return s.levels[text] ?? text;
    if (name === 'issuer' && report.kind === 'record' && described.confirmed) return text + s.issuerSources.registry;
    if (name === 'issuer' && described.issuerSource) return text + s.issuerSources[described.issuerSource];
    return text;
  };
  const rows = described.fields.map(([name, text]) => [s.fields[name], value(name, text), name]);
  const issued = report.checks.find((c) => c.name === 'proof')?.status === 'PASS' ? issuedText(s, get(report.checks.find((c) => c.name === 'issuer_key'), 'details', 'issuedAt')) : undefined;
  if (issued !== undefined) rows.push([s.issued, issued, 'issued']);
  return h(
    'section',
    { class: `described ${described.confirmed ? 'confirmed' : 'claimed'}`, id: 'description', 'data-confirmed': String(described.confirmed), 'aria-label': title },
    h('p', { class: 'described-title', id: 'description-title' }, h('strong', {}, title)),
    rows.length
      ? h('dl', { class: 'summary', id: 'summary' }, rows.map(([k, v, name]) => [h('dt', {}, k), h('dd', { 'data-field': name }, String(v))]))
      : h('p', {}, s.nothingDescribed),
  );
}

function renderFile(s, report) {
  // The names are the user's files' and the signature's own text: only ever text nodes.
  const rows = [[s.dataFile, shown(report.file.name)], [s.signatureFile, shown(report.file.signature)], [s.signs, report.file.signs === null ? '—' : shown(report.file.signs)], ['SHA-256', report.file.sha256]];
  return h(
    'section',
    { class: `described ${report.verdict === 'VALID' ? 'confirmed' : 'claimed'}`, id: 'description', 'data-confirmed': String(report.verdict === 'VALID') },
    h('dl', { class: 'summary', id: 'summary' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
  );
}

function renderReport(s) {
  const report = state.report;
  if (!report) return null;
  const first = report.checks.find((c) => c.status === 'FAIL') ?? report.checks.find((c) => c.status === 'UNKNOWN');
  const binding = report.checks.find((c) => c.name === 'holder_binding');
  const record = report.kind === 'record';
  const words = { record: s.recordVerdictText, detached: s.detachedVerdictText }[report.kind] ?? s.verdictText;
  const lines = [words[report.verdict]];
  if (report.verdict === 'VALID' && binding) lines.push(binding.status === 'PASS' ? s.bindingOk : s.bindingNotChecked);
  if (report.checks.some((c) => c.name === 'in_log' && c.status === 'PASS')) lines.push(s.inLog);
  if (first && report.verdict !== 'VALID') lines.push(s.firstProblem + (explain(s, first, facts(report, first)) || s.checks[first.name]));
  return h(
    'section',
    { class: 'result', id: 'result', 'data-verdict': report.verdict, 'data-kind': report.kind ?? 'certificate', 'data-run': state.runs },
    h('h2', {}, s.resultTitle),
    h('div', { class: `verdict ${report.verdict.toLowerCase()}`, id: 'verdict' }, h('strong', {}, s.verdict[report.verdict]), lines.map((line) => h('p', {}, line))),
    report.kind === 'detached' ? renderFile(s, report) : renderDescription(s, report),
    h(
      'ol',
      { class: 'checks', id: 'checks' },
      report.checks.map((check) =>
        h(
          'li',
          { class: check.status.toLowerCase(), 'data-check': check.name, 'data-status': check.status, 'data-code': check.code },
          h('span', { class: 'mark', 'aria-hidden': 'true' }, { PASS: '✓', FAIL: '✗', UNKNOWN: '?', SKIPPED: '–' }[check.status]),
          h('div', {}, h('strong', {}, s.checks[check.name] + s.colon + s.status[check.status]), h('p', {}, explain(s, check, facts(report, check))), h('details', {}, h('summary', {}, s.details), h('code', {}, `${check.code}: ${check.message}`))),
        ),
      ),
    ),
    h('p', { class: 'small' }, s.checkedAt + s.colon + chinaTime(nowUs()) + s.chinaTime),
  );
}

function renderFooter(s) {
  const offline = { ready: s.offlineReady, pending: s.offlineNotReady, unavailable: s.offlineUnavailable, copy: s.savedCopy }[state.offline];
  return h('footer', {}, h('p', { id: 'offline-status', 'data-state': state.offline }, offline), h('p', { class: 'small' }, `${s.version} ${CONFIG.version}`));
}

function render() {
  const s = t();
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = s.title;
  const app = document.getElementById('app');
  // Keep what the user typed and the live camera across re-renders.
  const keep = {};
  for (const id of ['id-number', 'paste']) keep[id] = document.getElementById(id)?.value ?? '';
  const oldVideo = document.getElementById('camera');
  const parts = [
    renderHeader(s),
    state.trust ? renderTrust(s) : null,
    state.notice ? h('p', { class: `alert ${state.notice.kind}`, id: 'notice', role: 'status', 'data-run': state.runs }, state.notice.text) : null,
    state.trust ? renderInput(s) : null,
    state.busy ? h('p', { class: 'busy', id: 'busy' }, s[state.busy]) : null,
    renderReport(s),
    renderFooter(s),
  ];
  app.replaceChildren(...parts.filter(Boolean));
  for (const [id, value] of Object.entries(keep)) {
    const element = document.getElementById(id);
    if (element) element.value = value;
  }
  const newVideo = document.getElementById('camera');
  if (oldVideo && newVideo && oldVideo.srcObject) newVideo.replaceWith(oldVideo);
}

// --- start -----------------------------------------------------------------------------------

function embeddedData() {
  const element = document.getElementById('dte-embedded');
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return null;
  }
}

async function registerServiceWorker() {
  if (fromFile) return;
  if (!('serviceWorker' in navigator)) {
    state.offline = 'unavailable';
    return;
  }
  try {
    await navigator.serviceWorker.register('/verify/sw.js', { scope: '/verify' });
    await navigator.serviceWorker.ready;
    state.offline = 'ready';
  } catch {
    state.offline = 'unavailable';
  }
  render();
}

async function start() {
  render();
  const store = await openStore();
  state.trust = new Trust(store, { buildRootKeys: CONFIG.rootKeys, embedded: embeddedData(), online: !fromFile });
  await state.trust.init();
  render();
  registerServiceWorker();
  warmUpQr();
  if (!fromFile && navigator.onLine !== false) await refreshBundle();
  window.addEventListener('online', refreshBundle);
  // Scripting and tests: the same verifier as the page, nothing more.
  window.dteVerifier = { verifyCredential, readCredential, runCorpus, trust: state.trust, ready: true };
  document.body.dataset.ready = 'true';
}

start();
