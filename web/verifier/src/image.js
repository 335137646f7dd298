// Which images the verifier reads, decided from the file's first bytes before any decoder runs:
// the rule of credentials/_image_format.py, stated in docs/qr.md. PNG of at most 8 bits a
// channel, JPEG, GIF and BMP, up to MAX_IMAGE_PIXELS pixels as the header states them; TIFF, WebP
// and anything else are recognised only to be refused by name.

export const MAX_IMAGE_PIXELS = 64_000_000;
const SUPPORTED = new Set(['PNG', 'JPEG', 'GIF', 'BMP']);

const MAGIC = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG'],
  [[0xff, 0xd8, 0xff], 'JPEG'],
  [[0x47, 0x49, 0x46, 0x38, 0x37, 0x61], 'GIF'],
  [[0x47, 0x49, 0x46, 0x38, 0x39, 0x61], 'GIF'],
  [[0x42, 0x4d], 'BMP'],
  [[0x49, 0x49, 0x2a, 0x00], 'TIFF'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'TIFF'],
];

const startsWith = (bytes, prefix, at = 0) => prefix.every((b, i) => bytes[at + i] === b);

/** The image format the bytes start with (supported or not), or null for no image. */
export function sniff(bytes) {
  for (const [magic, name] of MAGIC) if (startsWith(bytes, magic)) return name;
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'WEBP';
  return null;
}

function view(bytes) {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bmpSize(v) {
  if (v.getUint32(14, true) === 12) return [v.getUint16(18, true), v.getUint16(20, true)]; // BITMAPCOREHEADER
  return [Math.abs(v.getInt32(18, true)), Math.abs(v.getInt32(22, true))]; // negative height: top-down
}

// Start-of-frame markers (C0-CF except DHT C4, JPG C8 and DAC CC) carry the size.
const isSof = (m) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegSize(bytes, v) {
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) throw new RangeError('truncated');
    if (bytes[pos] !== 0xff) return null;
    while (bytes[pos] === 0xff) pos++; // fill bytes may precede a marker
    if (pos >= bytes.length) throw new RangeError('truncated');
    const marker = bytes[pos++];
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) return null; // no frame before the end or the scan
    const length = v.getUint16(pos);
    if (isSof(marker)) return [v.getUint16(pos + 5), v.getUint16(pos + 3)];
    pos += length;
  }
}

/** [width, height] from the header of a supported image, else null (as _image_format.size). */
export function imageSize(bytes) {
  try {
    const v = view(bytes);
    const kind = sniff(bytes);
    if (kind === 'PNG' && startsWith(bytes, [0x49, 0x48, 0x44, 0x52], 12) && v.getUint8(24) <= 8) return [v.getUint32(16), v.getUint32(20)];
    if (kind === 'GIF') return [v.getUint16(6, true), v.getUint16(8, true)];
    if (kind === 'BMP') return bmpSize(v);
    if (kind === 'JPEG') return jpegSize(bytes, v);
  } catch (error) {
    if (error instanceof RangeError) return null; // the header is cut short
    throw error;
  }
  return null;
}

/** Why the image is not read (a sentence), or null when it may be decoded. */
export function imageRefusal(bytes) {
  const kind = sniff(bytes);
  if (kind === null) return 'the input is not a PNG, JPEG, GIF or BMP image';
  const size = imageSize(bytes);
  if (size === null) {
    if (SUPPORTED.has(kind)) return `the ${kind} header cannot be read, or its depth is over 8 bits a channel`;
    return `${kind} images are not read; use PNG, JPEG, GIF or BMP`;
  }
  const [width, height] = size;
  if (width * height > MAX_IMAGE_PIXELS) return `the image is too large (${width} × ${height} pixels; at most ${MAX_IMAGE_PIXELS})`;
  return null;
}
