// DEFLATE (RFC 1951) with zlib (RFC 1950) and gzip (RFC 1952) framing, written out here rather
// than taken from DecompressionStream: the Python verifier refuses bytes after the end of the
// stream, a truncated stream and a bad checksum, and browsers and Node do not all tell these
// apart (Node 20 silently ignores trailing bytes). Here every engine answers the same. It also
// stops as soon as the output passes the caller's limit, so a small code cannot be a bomb.
//
// The checks follow zlib's inflate: over-subscribed or incomplete code sets, a repeat with no
// previous length, too many symbols, a missing end-of-block code, distances too far back,
// stored-length mismatches, header check bits, preset dictionaries, checksums and lengths.

export class InflateError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code; // 'TOO_LARGE' or 'CORRUPT'
  }
}

const corrupt = (message) => new InflateError('CORRUPT', message);

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code from code lengths; `kind` is 'codes', 'lens' or 'dists'. */
function buildTree(lengths, kind) {
  const counts = new Uint16Array(16);
  for (const len of lengths) counts[len]++;
  counts[0] = 0;
  let max = 15;
  while (max > 0 && counts[max] === 0) max--;
  if (max === 0) {
    if (kind === 'codes') throw corrupt('invalid code lengths set');
    return { counts, symbols: new Uint16Array(0), empty: true }; // never used, or an error when used
  }
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - counts[len];
    if (left < 0) throw corrupt(`invalid ${kind} set (over-subscribed)`);
  }
  if (left > 0 && (kind === 'codes' || max !== 1)) throw corrupt(`invalid ${kind} set (incomplete)`);
  const offsets = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offsets[len + 1] = offsets[len] + counts[len];
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((len, symbol) => {
    if (len) symbols[offsets[len]++] = symbol;
  });
  return { counts, symbols, empty: false };
}

class Reader {
  constructor(data, pos) {
    this.data = data;
    this.pos = pos;
    this.bit = 0;
    this.bits = 0;
  }

  need(n) {
    while (this.bits < n) {
      if (this.pos >= this.data.length) throw corrupt('the compressed data is truncated');
      this.bit |= this.data[this.pos++] << this.bits;
      this.bits += 8;
    }
  }

  read(n) {
    if (n === 0) return 0;
    this.need(n);
    const value = this.bit & ((1 << n) - 1);
    this.bit >>>= n;
    this.bits -= n;
    return value;
  }

  align() {
    // Drop the rest of the current byte; whole unread bytes go back to the input.
    const whole = this.bits >> 3;
    this.pos -= whole;
    this.bit = 0;
    this.bits = 0;
  }

  decode(tree) {
    if (tree.empty) throw corrupt('invalid code');
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= 15; len++) {
      code |= this.read(1);
      const count = tree.counts[len];
      if (code - first < count) return tree.symbols[index + code - first];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    throw corrupt('invalid code');
  }
}

let fixed = null;
function fixedTrees() {
  if (!fixed) {
    const lens = new Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixed = { lit: buildTree(lens, 'lens'), dist: buildTree(new Array(32).fill(5), 'dists') };
  }
  return fixed;
}

function dynamicTrees(r) {
  const hlit = r.read(5) + 257;
  const hdist = r.read(5) + 1;
  const hclen = r.read(4) + 4;
  if (hlit > 286 || hdist > 30) throw corrupt('too many length or distance symbols');
  const clens = new Array(19).fill(0);
  for (let i = 0; i < hclen; i++) clens[CLEN_ORDER[i]] = r.read(3);
  const codeTree = buildTree(clens, 'codes');
  const lengths = [];
  while (lengths.length < hlit + hdist) {
    const sym = r.decode(codeTree);
    if (sym < 16) lengths.push(sym);
    else {
      let value = 0;
      let repeat;
      if (sym === 16) {
        if (!lengths.length) throw corrupt('invalid bit length repeat');
        value = lengths[lengths.length - 1];
        repeat = 3 + r.read(2);
      } else if (sym === 17) repeat = 3 + r.read(3);
      else repeat = 11 + r.read(7);
      if (lengths.length + repeat > hlit + hdist) throw corrupt('invalid bit length repeat');
      for (let i = 0; i < repeat; i++) lengths.push(value);
    }
  }
  if (lengths[256] === 0) throw corrupt('invalid code -- missing end-of-block');
  return { lit: buildTree(lengths.slice(0, hlit), 'lens'), dist: buildTree(lengths.slice(hlit), 'dists') };
}

/** Raw DEFLATE from data[start]; returns {output, end} (end: index after the last byte used). */
export function inflateRaw(data, start, limit) {
  const r = new Reader(data, start);
  let out = new Uint8Array(Math.min(Math.max(1024, (data.length - start) * 4), limit + 1));
  let n = 0;
  const grow = (extra) => {
    if (n + extra > limit) throw new InflateError('TOO_LARGE', `inflates to more than ${limit} bytes; refused`);
    if (n + extra > out.length) {
      const bigger = new Uint8Array(Math.min(Math.max(out.length * 2, n + extra), limit + 1));
      bigger.set(out.subarray(0, n));
      out = bigger;
    }
  };
  let last = 0;
  while (!last) {
    last = r.read(1);
    const type = r.read(2);
    if (type === 0) {
      r.align();
      if (r.pos + 4 > data.length) throw corrupt('the compressed data is truncated');
      const len = data[r.pos] | (data[r.pos + 1] << 8);
      const nlen = data[r.pos + 2] | (data[r.pos + 3] << 8);
      if (len !== (~nlen & 0xffff)) throw corrupt('invalid stored block lengths');
      r.pos += 4;
      if (r.pos + len > data.length) throw corrupt('the compressed data is truncated');
      grow(len);
      out.set(data.subarray(r.pos, r.pos + len), n);
      n += len;
      r.pos += len;
    } else if (type === 1 || type === 2) {
      const { lit, dist } = type === 1 ? fixedTrees() : dynamicTrees(r);
      for (;;) {
        const sym = r.decode(lit);
        if (sym < 256) {
          grow(1);
          out[n++] = sym;
        } else if (sym === 256) break;
        else {
          const li = sym - 257;
          if (li >= 29) throw corrupt('invalid literal/length code');
          const length = LENGTH_BASE[li] + r.read(LENGTH_EXTRA[li]);
          const di = r.decode(dist);
          if (di >= 30) throw corrupt('invalid distance code');
          const distance = DIST_BASE[di] + r.read(DIST_EXTRA[di]);
          if (distance > n) throw corrupt('invalid distance too far back');
          grow(length);
          for (let i = 0; i < length; i++, n++) out[n] = out[n - distance];
        }
      }
    } else throw corrupt('invalid block type');
  }
  r.align();
  return { output: out.slice(0, n), end: r.pos };
}

function adler32(data) {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

let crcTable = null;
function crc32(data, crc = 0) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  crc = ~crc >>> 0;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

const u32be = (d, p) => ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
const u32le = (d, p) => (d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | (d[p + 3] << 24)) >>> 0;

function zlibBody(data) {
  if (data.length < 2) throw corrupt('the compressed data is truncated');
  const cmf = data[0];
  const flg = data[1];
  if (((cmf << 8) | flg) % 31) throw corrupt('incorrect header check');
  if ((cmf & 0x0f) !== 8) throw corrupt('unknown compression method');
  if ((cmf >> 4) + 8 > 15) throw corrupt('invalid window size');
  if (flg & 0x20) throw corrupt('a preset dictionary is needed');
  return 2;
}

function gzipBody(data) {
  if (data.length < 10) throw corrupt('the compressed data is truncated');
  if (data[0] !== 0x1f || data[1] !== 0x8b) throw corrupt('incorrect header check');
  if (data[2] !== 8) throw corrupt('unknown compression method');
  const flags = data[3];
  if (flags & 0xe0) throw corrupt('unknown header flags set');
  let p = 10;
  const need = (k) => {
    if (p + k > data.length) throw corrupt('the compressed data is truncated');
  };
  if (flags & 4) {
    need(2);
    const xlen = data[p] | (data[p + 1] << 8);
    p += 2;
    need(xlen);
    p += xlen;
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      do need(1);
      while (data[p++] !== 0);
    }
  }
  if (flags & 2) {
    need(2);
    if ((data[p] | (data[p + 1] << 8)) !== (crc32(data.subarray(0, p)) & 0xffff)) throw corrupt('header crc mismatch');
    p += 2;
  }
  return p;
}

/**
 * Inflate a whole zlib ('deflate') or gzip ('gzip') stream: exactly one stream, checksum and
 * length right, nothing after it, at most `limit` bytes out. InflateError otherwise.
 */
export async function inflate(format, data, limit) {
  if (format !== 'deflate' && format !== 'gzip') throw new TypeError(`unknown format ${format}`);
  const start = format === 'gzip' ? gzipBody(data) : zlibBody(data);
  const { output, end } = inflateRaw(data, start, limit);
  if (end + (format === 'gzip' ? 8 : 4) > data.length) throw corrupt('the compressed data is truncated');
  if (format === 'gzip') {
    if (u32le(data, end) !== crc32(output)) throw corrupt('incorrect data check');
    if (u32le(data, end + 4) !== output.length >>> 0) throw corrupt('incorrect length check');
  } else if (u32be(data, end) !== adler32(output)) throw corrupt('incorrect data check');
  if (end + (format === 'gzip' ? 8 : 4) !== data.length) throw corrupt('unexpected data after the compressed stream');
  return output;
}
