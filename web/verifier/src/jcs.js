// RFC 8785 JSON Canonicalization Scheme, refusing exactly what credentials/_jcs.py refuses:
// nesting deeper than 64, strings with lone surrogates, non-finite numbers, and integers that
// no double holds exactly (see json.js). Keys sort by UTF-16 code units, which is what JS's
// default string comparison does; numbers print as ECMAScript's Number#toString, which RFC 8785
// adopts; strings escape as JSON.stringify does for well-formed text.

import { INEXACT, isObject, numberMark } from './json.js';

export const MAX_DEPTH = 64;

export class CanonicalizationError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormed(text) {
  return typeof text.isWellFormed === 'function' ? text.isWellFormed() : !LONE_SURROGATE.test(text);
}

function str(text) {
  if (!isWellFormed(text)) {
    throw new CanonicalizationError('JCS_NOT_JSON', 'string contains a lone surrogate (not valid Unicode)');
  }
  return JSON.stringify(text);
}

function num(value, container, key) {
  if (!Number.isFinite(value)) throw new CanonicalizationError('JCS_NOT_JSON', 'NaN and infinite numbers are not JSON');
  if (container !== undefined && numberMark(container, key) === INEXACT) {
    throw new CanonicalizationError(
      'JCS_NOT_JSON',
      'integer beyond ±(2**53 - 1) that is not exactly a JSON (double) number',
    );
  }
  return Object.is(value, -0) ? '0' : String(value);
}

function walk(value, depth, container, key, out) {
  if (depth > MAX_DEPTH) throw new CanonicalizationError('JCS_TOO_DEEP', `JSON nested deeper than ${MAX_DEPTH} levels`);
  if (value === null) out.push('null');
  else if (value === true) out.push('true');
  else if (value === false) out.push('false');
  else if (typeof value === 'string') out.push(str(value));
  else if (typeof value === 'number') out.push(num(value, container, key));
  else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index) out.push(',');
      walk(item, depth + 1, value, index, out);
    });
    out.push(']');
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    for (const k of keys) str(k); // every key must be well-formed, sorted or not
    keys.sort();
    out.push('{');
    keys.forEach((k, index) => {
      if (index) out.push(',');
      out.push(str(k), ':');
      walk(value[k], depth + 1, value, k, out);
    });
    out.push('}');
  } else {
    throw new CanonicalizationError('JCS_NOT_JSON', `${typeof value} is not a JSON type`);
  }
}

/** The canonical text of a JSON value, or CanonicalizationError. */
export function canonicalize(value) {
  const out = [];
  walk(value, 0, undefined, undefined, out);
  return out.join('');
}

/** The canonical text of container[key], the number's mark included (a bare value has none). */
export function canonicalizeAt(container, key) {
  const out = [];
  walk(container[key], 0, container, key, out);
  return out.join('');
}

/** The canonical UTF-8 bytes. */
export function canonicalBytes(value) {
  return new TextEncoder().encode(canonicalize(value));
}
