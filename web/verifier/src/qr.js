// The DTE1 code: `DTE1:` + Base45(zlib(CBOR(credential))), decoded with the checks of
// credentials/qr.py; and reading it from an image, with the browser's BarcodeDetector where it
// exists (Android Chrome) and otherwise ZXing-C++ compiled to WebAssembly.

import { decodeCbor } from './cbor.js';
import { base45Decode } from './encoding.js';
import { imageRefusal } from './image.js';
import { inflate } from './inflate.js';
import { isObject } from './json.js';

export const PREFIX = 'DTE1:';
const MAX_TEXT_CHARS = 8192;
const MAX_DECOMPRESSED_BYTES = 256 * 1024;
// zxing-cpp stops after 255 codes, in Python and here alike: an image where it finds that many may
// hold more, so which ones were read is not known; refused as ambiguous (credentials/qr.py).
const MAX_CODES = 255;

export class QrError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The credential in a DTE1 text; QrError names the layer that failed. */
export async function decodeText(text) {
  if (typeof text !== 'string') throw new QrError('QR_PREFIX', 'a DTE1 code is text');
  text = text.replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
  if (!text.startsWith(PREFIX)) throw new QrError('QR_PREFIX', `not a DTE1 code (the text must start with ${PREFIX})`);
  const body = text.slice(PREFIX.length);
  if ([...body].length > MAX_TEXT_CHARS) throw new QrError('QR_BASE45', 'the code is longer than any QR code can hold');
  let compressed;
  try {
    compressed = base45Decode(body.replace(/\n+$/, ''));
  } catch (error) {
    throw new QrError('QR_BASE45', `the code is not valid Base45: ${error.message}`);
  }
  let payload;
  try {
    payload = await inflate('deflate', compressed, MAX_DECOMPRESSED_BYTES);
  } catch (error) {
    throw new QrError('QR_ZLIB', `the code is not valid zlib data: ${error.message}`);
  }
  let value;
  try {
    value = decodeCbor(payload);
  } catch (error) {
    throw new QrError('QR_CBOR', `the code does not hold valid CBOR: ${error.message}`);
  }
  if (!isObject(value)) throw new QrError('QR_NOT_OBJECT', 'the code does not hold a JSON object');
  return value;
}

// --- images ----------------------------------------------------------------------------------

let zxing = null;
// The WebAssembly is inlined in the page (see build.mjs), so a saved copy of the page still reads
// codes with no network. Node cannot import a .wasm file: its tools hand over the bytes instead.
let zxingWasm = async () => (await import('zxing-wasm/reader/zxing_reader.wasm')).default;

/** For Node (tools/corpus.mjs): `load()` gives the bytes of zxing_reader.wasm. */
export function _useZxingWasm(load) {
  zxingWasm = load;
  zxing = null;
}

async function zxingReader() {
  if (!zxing) {
    zxing = (async () => {
      const [{ prepareZXingModule, readBarcodes }, wasm] = await Promise.all([import('zxing-wasm/reader'), zxingWasm()]);
      await prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) }, fireImmediately: true });
      return readBarcodes;
    })();
  }
  return zxing;
}

async function nativeDetector() {
  if (typeof globalThis.BarcodeDetector !== 'function') return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    return formats.includes('qr_code') ? new globalThis.BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/** All QR texts in an image source (ImageData for ZXing; a Blob, bitmap, video or canvas otherwise). */
export async function readQrTexts(source, { imageData = null } = {}) {
  const detector = await nativeDetector();
  if (detector) {
    try {
      const found = await detector.detect(source);
      if (found.length) return found.map((b) => b.rawValue);
    } catch {
      // fall through to ZXing
    }
  }
  const readBarcodes = await zxingReader();
  const input = imageData ?? source;
  const results = await readBarcodes(input, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: MAX_CODES });
  return results.filter((r) => r.isValid).map((r) => r.text);
}

/** The credential in an image of a DTE1 code (errors as in credentials/qr.py's decode_image). */
export async function decodeImage(source, options) {
  let texts;
  try {
    texts = await readQrTexts(source, options);
  } catch (error) {
    throw new QrError('QR_IMAGE', `the image cannot be read: ${error.message}`);
  }
  const ours = [...new Set(texts.filter((t) => t.startsWith(PREFIX)))];
  if (!ours.length) {
    if (texts.length) throw new QrError('QR_PREFIX', 'the image holds a QR code, but not a DTE1 code');
    throw new QrError('QR_NOT_FOUND', 'no QR code found in the image');
  }
  if (ours.length > 1 || texts.length >= MAX_CODES) throw new QrError('QR_AMBIGUOUS', 'the image holds more than one DTE1 code');
  return decodeText(ours[0]);
}

/** The credential in an image file's bytes: refused by the format and size rule (image.js)
 * before any decoder sees it, as credentials/qr.py's decode_image does. */
export async function decodeImageBytes(bytes) {
  const refused = imageRefusal(bytes);
  if (refused !== null) throw new QrError('QR_IMAGE', refused);
  return decodeImage(new Blob([bytes]));
}

/** Start loading the decoder early (it is about 1 MB of WebAssembly to compile). */
export function warmUpQr() {
  return nativeDetector().then((d) => (d ? null : zxingReader())).catch(() => null);
}
