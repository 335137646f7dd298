// A CBOR (RFC 8949) decoder for the DTE1 code, refusing what credentials/qr.py refuses: more or
// less than one item, duplicate map keys, nesting past 64, and anything JSON cannot say (tags,
// byte strings, undefined, simple values, non-string keys, NaN and infinities). Floats are marked
// as floats (json.js), since Python decodes them as floats even when integral.

import { FLOAT, INEXACT, markNumber, newObject } from './json.js';

export class CborError extends Error {}

const MAX_DEPTH = 64;

function halfToFloat(h) {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

export function decodeCbor(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n) => {
    if (pos + n > bytes.length) throw new CborError('truncated CBOR');
  };
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  const argument = (info) => {
    if (info < 24) return BigInt(info);
    if (info === 24) return need(1), BigInt(bytes[pos++]);
    if (info === 25) return need(2), (pos += 2), BigInt(view.getUint16(pos - 2));
    if (info === 26) return need(4), (pos += 4), BigInt(view.getUint32(pos - 4));
    if (info === 27) return need(8), (pos += 8), view.getBigUint64(pos - 8);
    throw new CborError('indefinite or reserved length where a number is required');
  };

  const toNumber = (big) => {
    const value = Number(big);
    const exact = BigInt(value) === big && (Math.abs(value) <= 2 ** 53 - 1 || String(value) === big.toString());
    return [value, exact ? undefined : INEXACT];
  };

  const readString = (info) => {
    if (info === 31) {
      // Indefinite-length text: definite-length text chunks until the break.
      let out = '';
      for (;;) {
        need(1);
        if (bytes[pos] === 0xff) {
          pos++;
          return out;
        }
        const head = bytes[pos++];
        if (head >> 5 !== 3 || (head & 0x1f) === 31) throw new CborError('bad chunk in indefinite text');
        out += readString(head & 0x1f);
      }
    }
    const length = Number(argument(info));
    need(length);
    const text = utf8.decode(bytes.subarray(pos, pos + length));
    pos += length;
    return text;
  };

  // Returns [value, mark]; `depth` counts containers as cbor2's max_depth does.
  const item = (depth) => {
    if (depth > MAX_DEPTH) throw new CborError(`nested deeper than ${MAX_DEPTH} levels`);
    need(1);
    const head = bytes[pos++];
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0:
        return toNumber(argument(info));
      case 1:
        return toNumber(-1n - argument(info));
      case 2:
        throw new CborError('a byte string is not JSON');
      case 3:
        return [readString(info), undefined];
      case 4: {
        const out = [];
        const add = () => {
          const [value, mark] = item(depth + 1);
          if (mark) markNumber(out, out.length, mark);
          out.push(value);
        };
        if (info === 31) {
          for (;;) {
            need(1);
            if (bytes[pos] === 0xff) {
              pos++;
              break;
            }
            add();
          }
        } else for (let n = argument(info); n > 0n; n--) add();
        return [out, undefined];
      }
      case 5: {
        const out = newObject();
        const seen = new Set();
        const add = () => {
          const [key] = item(depth + 1);
          if (typeof key !== 'string') throw new CborError('an object key is not a string');
          if (seen.has(key)) throw new CborError('duplicate key in a CBOR map');
          seen.add(key);
          const [value, mark] = item(depth + 1);
          if (mark) markNumber(out, key, mark);
          out[key] = value;
        };
        if (info === 31) {
          for (;;) {
            need(1);
            if (bytes[pos] === 0xff) {
              pos++;
              break;
            }
            add();
          }
        } else for (let n = argument(info); n > 0n; n--) add();
        return [out, undefined];
      }
      case 6:
        throw new CborError('a CBOR tag is not JSON');
      default: {
        if (info === 20) return [false, undefined];
        if (info === 21) return [true, undefined];
        if (info === 22) return [null, undefined];
        let value;
        if (info === 25) need(2), (value = halfToFloat(view.getUint16(pos))), (pos += 2);
        else if (info === 26) need(4), (value = view.getFloat32(pos)), (pos += 4);
        else if (info === 27) need(8), (value = view.getFloat64(pos)), (pos += 8);
        else throw new CborError('undefined and simple values are not JSON');
        if (!Number.isFinite(value)) throw new CborError('NaN and infinities are not JSON');
        return [value, FLOAT];
      }
    }
  };

  const [value] = item(0);
  if (pos !== bytes.length) throw new CborError('unexpected data after the CBOR item');
  return value;
}
