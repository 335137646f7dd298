// C2SP signed notes, checkpoints and Ed25519 cosignatures, as credentials/_note.py and
// credentials/transparency.py read them: the same rules, limits and codes (the differential
// test feeds both the same hostile notes). Base64 is standard, padded and canonical only.

import { sha256, ed25519Verify } from './crypto.js';
import { bytesEqual, concatBytes, toHex } from './encoding.js';
import { isWellFormed } from './jcs.js';
import { KeyFormatError, PublicKey } from './keys.js';
import { HASH_BYTES, MAX_TREE_SIZE, TransparencyError } from './merkle.js';

export const ED25519 = 0x01;
export const COSIGNATURE_V1 = 0x04;
const MAX_SIGNATURES = 100;
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_TIMESTAMP = 2n ** 63n - 1n;
const DASH = '\u2014 ';
// The union of what Python's and JavaScript's \s match, and '+' (credentials/_note.py _NAME).
const NAME = /^[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff+]+$/u;
const CONTROL = /[\x00-\x09\x0b-\x1f]/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX8 = /^[0-9a-f]{8}$/;
const SIZE = /^(0|[1-9][0-9]{0,19})$/;
const utf8 = (text) => new TextEncoder().encode(text);

/** Standard, padded, canonical base64 (re-encoding gives `text` back), or TransparencyError. */
export function b64decode(text, code, what) {
  if (typeof text !== 'string' || !B64.test(text) || text.length % 4 !== 0) throw new TransparencyError(code, `${what} is not standard base64`);
  const binary = atob(text);
  const raw = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (btoa(binary) !== text) throw new TransparencyError(code, `${what} is not in canonical base64`);
  return raw;
}

export const b64encode = (bytes) => btoa(String.fromCharCode(...bytes));

function checkName(name) {
  if (typeof name !== 'string' || !NAME.test(name)) throw new TransparencyError('NOTE_KEY_NAME_INVALID', "a key name is non-empty, without spaces or '+'");
  return name;
}

async function keyId(name, type, raw) {
  return (await sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), raw))).slice(0, 4);
}

/** A verifier key: {name, publicKey (PublicKey), type, keyId (4 bytes)}. */
export async function noteKey(name, publicKey, type = ED25519) {
  checkName(name);
  if (type !== ED25519 && type !== COSIGNATURE_V1) throw new TransparencyError('VKEY_TYPE_UNSUPPORTED', 'only Ed25519 keys (0x01, 0x04)');
  return { name, publicKey, type, keyId: await keyId(name, type, publicKey.raw) };
}

/** credentials/_note.py parse_vkey. */
export async function parseVkey(text) {
  const first = typeof text === 'string' ? text.indexOf('+') : -1;
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw new TransparencyError('VKEY_MALFORMED', 'a vkey is name+keyid+base64(key)');
  const [name, hexId, material] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  checkName(name);
  if (!HEX8.test(hexId)) throw new TransparencyError('VKEY_MALFORMED', "a vkey's key id is 8 lowercase hex digits");
  const raw = b64decode(material, 'VKEY_MALFORMED', "a vkey's key");
  if (raw.length !== 33 || (raw[0] !== ED25519 && raw[0] !== COSIGNATURE_V1)) throw new TransparencyError('VKEY_TYPE_UNSUPPORTED', 'only Ed25519 vkeys (0x01, 0x04)');
  let publicKey;
  try {
    publicKey = new PublicKey(raw.slice(1));
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    throw new TransparencyError('VKEY_MALFORMED', `a vkey's key: ${error.message}`);
  }
  const key = await noteKey(name, publicKey, raw[0]);
  if (toHex(key.keyId) !== hexId) throw new TransparencyError('VKEY_ID_MISMATCH', "the vkey's key id does not match its key");
  return key;
}

const malformed = (message) => new TransparencyError('NOTE_MALFORMED', message);

/** [text, signatures] of a note, its form checked (credentials/_note.py split_note). */
export function splitNote(note) {
  if (typeof note !== 'string') throw malformed('a note is text');
  if (!note.endsWith('\n') || CONTROL.test(note)) throw malformed('a note text ends in a newline and has no control characters');
  if (utf8(note).length > MAX_NOTE_BYTES) throw malformed(`a note is at most ${MAX_NOTE_BYTES} bytes`);
  if (!isWellFormed(note)) throw malformed('a note is valid UTF-8');
  const cut = note.lastIndexOf('\n\n');
  if (cut < 0) throw malformed('a note has a blank line before its signatures');
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2).split('\n').slice(0, -1);
  if (!lines.length) throw malformed('a note has at least one signature');
  if (lines.length > MAX_SIGNATURES) throw malformed(`a note has at most ${MAX_SIGNATURES} signatures`);
  return [text, lines.map(signatureLine)];
}

function signatureLine(line) {
  if (!line.startsWith(DASH)) throw malformed("a signature line starts with '— '");
  const rest = line.slice(DASH.length);
  const space = rest.lastIndexOf(' ');
  if (space < 0) throw malformed("a signature line is '— name signature'");
  const name = checkName(rest.slice(0, space));
  const raw = b64decode(rest.slice(space + 1), 'NOTE_MALFORMED', 'a note signature');
  if (raw.length < 5) throw malformed('a note signature is a key id and a signature');
  return { name, keyId: raw.slice(0, 4), signature: raw.slice(4) };
}

const known = (keys, type) => (sig) => keys.find((k) => k.type === type && k.name === sig.name && bytesEqual(k.keyId, sig.keyId)) ?? null;

/** [text, signers] as credentials/_note.py verify_note: unknown keys ignored, a bad known one refuses. */
export async function verifyNote(note, keys) {
  const [text, signatures] = splitNote(note);
  const lookup = known(keys, ED25519);
  const signers = [];
  const message = utf8(text);
  for (const sig of signatures) {
    const key = lookup(sig);
    if (key === null || signers.includes(key)) continue;
    if (sig.signature.length !== 64 || !(await ed25519Verify(key.publicKey.raw, message, sig.signature))) {
      throw new TransparencyError('NOTE_SIGNATURE_INVALID', `the signature of ${key.name} does not verify`);
    }
    signers.push(key);
  }
  if (!signers.length) throw new TransparencyError('NOTE_UNTRUSTED', 'no signature by a trusted key');
  return [text, signers];
}

/** credentials/transparency.py checkpoint_from_text: {origin, size (BigInt), rootHash, extensions}. */
export function checkpointFromText(text) {
  const code = 'CHECKPOINT_MALFORMED';
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '' || lines.length < 4 || lines.slice(0, -1).includes('')) {
    throw new TransparencyError(code, 'a checkpoint has origin, size and root lines, none empty');
  }
  const [origin, size, root, ...extensions] = lines.slice(0, -1);
  if (!SIZE.test(size) || BigInt(size) > MAX_TREE_SIZE) throw new TransparencyError(code, 'the tree size is a decimal within 0..2**64-1');
  const rootHash = b64decode(root, code, 'the root hash');
  if (rootHash.length !== HASH_BYTES) throw new TransparencyError(code, `the root hash is ${HASH_BYTES} bytes`);
  return { origin, size: BigInt(size), rootHash, extensions };
}

export const cosignatureMessage = (body, timestamp) => utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);

/** The valid cosignatures of `witnesses` (type 0x04 keys) on `note`, one per witness. */
export async function verifyCosignatures(note, witnesses) {
  const [text, signatures] = splitNote(note);
  const lookup = known(witnesses, COSIGNATURE_V1);
  const found = new Map();
  for (const sig of signatures) {
    const key = lookup(sig);
    if (key === null || found.has(key)) continue;
    const bad = () => new TransparencyError('COSIGNATURE_INVALID', `the cosignature of ${key.name} does not verify`);
    if (sig.signature.length !== 72) throw new TransparencyError('COSIGNATURE_INVALID', `the cosignature of ${key.name} is malformed`);
    let timestamp = 0n;
    for (const b of sig.signature.slice(0, 8)) timestamp = (timestamp << 8n) | BigInt(b);
    if (timestamp > MAX_TIMESTAMP) throw bad();
    if (!(await ed25519Verify(key.publicKey.raw, cosignatureMessage(text, timestamp), sig.signature.slice(8)))) throw bad();
    found.set(key, { key, timestamp });
  }
  return [...found.values()];
}
