// What the employer hands over, told apart by content as `registry verify` does
// (service/verify_cli.py read_credential): a DTE1 code, an image of one, or JSON.

import { JsonError, parseJson } from './json.js';
import { sniff } from './image.js';
import { PREFIX, QrError, decodeImageBytes, decodeText } from './qr.js';

export class ReadError extends Error {
  /** `code`: READ_TOO_LARGE, READ_TEXT, READ_JSON, or the QR layer's code (QR_NOT_FOUND, QR_PREFIX, …). */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const STRIP = new Set([0xef, 0xbb, 0xbf, 0x20, 0x09, 0x0d, 0x0a]);
/** service/verify_cli.py's MAX_INPUT_BYTES: a larger file is not read at all. */
export const MAX_INPUT_BYTES = 20 * 1024 * 1024;

const startsWith = (bytes, prefix) => prefix.every((b, i) => bytes[i] === b);

/** Strict JSON from UTF-8 bytes (a leading BOM is allowed), or ReadError. */
export function parseJsonBytes(bytes, what = 'the input') {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ReadError('READ_TEXT', `${what} is not UTF-8 text`);
  }
  try {
    return parseJson(text);
  } catch (error) {
    if (error instanceof JsonError) throw new ReadError('READ_JSON', `${what} is not valid JSON: ${error.message}`);
    throw error;
  }
}

async function fromQr(promise) {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof QrError) throw new ReadError(error.code, `cannot read the input: ${error.message} (${error.code})`);
    throw error;
  }
}

/** The credential in a file's bytes (Uint8Array), or ReadError saying why it cannot be read. */
export async function readCredential(bytes) {
  if (bytes.length > MAX_INPUT_BYTES) throw new ReadError('READ_TOO_LARGE', `the input is larger than ${MAX_INPUT_BYTES / (1024 * 1024)} MiB`);
  let start = 0;
  while (start < bytes.length && STRIP.has(bytes[start])) start++;
  const head = bytes.subarray(start);
  if (startsWith(head, [...PREFIX].map((c) => c.charCodeAt(0)))) {
    if (head.some((b) => b > 0x7f)) throw new ReadError('QR_TEXT', 'the input starts like a DTE1: code but is not ASCII text');
    return fromQr(decodeText(new TextDecoder().decode(head).replace(/[\r\n]+$/, '')));
  }
  if (sniff(head) !== null) return fromQr(decodeImageBytes(bytes));
  if (head[0] === 0x7b || head[0] === 0x5b) return parseJsonBytes(bytes);
  try {
    return await decodeImageBytes(bytes);
  } catch (error) {
    if (!(error instanceof QrError)) throw error;
    // Neither an image nor JSON-looking text: report it as the JSON it most likely was.
    return parseJsonBytes(bytes);
  }
}

/** Pasted text: a DTE1 code or JSON. */
export function readCredentialText(text) {
  return readCredential(new TextEncoder().encode(text));
}
