// Strict JSON, read the way the Python verifier reads it (`json.loads` in service/verify_cli.py):
// duplicate keys, NaN and Infinity are refused, and two things JSON.parse forgets are kept on the
// side, because the Python verifier's answer depends on them:
//   FLOAT   - a number written with a fraction or exponent (1.0 is a float in Python, so
//             `"opslimit": 1.0` is not an integer there even though JCS writes it as 1);
//   INEXACT - an integer literal no double holds exactly (Python keeps it exact, and then JCS
//             refuses it; JSON.parse would silently round it). One past ±1.8e308 (310 to 4,300
//             digits) is kept as ±Number.MAX_VALUE, not as an infinity: Python holds it as an
//             int, so it is a JSON value that compares above (below) every double, as
//             ±MAX_VALUE does, and the mark keeps JCS from ever printing it.
// The marks live beside the container, so a value moved to another container must take its mark
// with it: copy objects with `copyWithout` and move values with `moveValue`, never by hand.
// Objects have no prototype, so a key like "__proto__" is just a key.

export const FLOAT = 1;
export const INEXACT = 2;

const marks = new WeakMap();

/** FLOAT, INEXACT or undefined for the number at container[key]. */
export function numberMark(container, key) {
  return marks.get(container)?.get(key);
}

export function markNumber(container, key, mark) {
  let m = marks.get(container);
  if (!m) marks.set(container, (m = new Map()));
  m.set(key, mark);
}

/** target[key] = source[sourceKey], with the number's mark. */
export function moveValue(target, key, source, sourceKey = key) {
  target[key] = source[sourceKey];
  const mark = numberMark(source, sourceKey);
  if (mark !== undefined) markNumber(target, key, mark);
  else marks.get(target)?.delete(key);
}

/** A shallow copy of the object `object` without the key `name`, marks included. */
export function copyWithout(object, name) {
  const out = newObject();
  for (const key of Object.keys(object)) if (key !== name) moveValue(out, key, object);
  return out;
}

/** True where Python would see an `int` (not a bool, not a float). */
export function isPyInt(container, key) {
  const value = container[key];
  return typeof value === 'number' && Number.isInteger(value) && numberMark(container, key) !== FLOAT;
}

export class JsonError extends Error {}

const MAX_INT_DIGITS = 4300; // Python's int-from-text limit: longer literals fail to parse there
const SAFE = 2 ** 53 - 1;

export function newObject() {
  return Object.create(null);
}

/** Parse `text` (a string, BOM already removed) or throw JsonError. */
export function parseJson(text) {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const fail = (what) => {
    throw new JsonError(`${what} at position ${i}`);
  };

  // Iterative, so that depth is bounded by memory, not by the call stack.
  const stack = []; // frames: {container, key (for objects: pending key), isArray}
  let result;
  let haveResult = false;

  const place = (value, mark) => {
    if (stack.length === 0) {
      result = value;
      haveResult = true;
      return;
    }
    const top = stack[stack.length - 1];
    if (top.isArray) {
      if (mark) markNumber(top.container, top.container.length, mark);
      top.container.push(value);
    } else {
      if (mark) markNumber(top.container, top.key, mark);
      top.container[top.key] = value;
      top.seen.add(top.key);
    }
  };

  const readString = () => {
    // at opening quote
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        i++;
        const e = text[i];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
        if (simple !== undefined) {
          out += simple;
          i++;
        } else if (e === 'u') {
          const hex = text.slice(i + 1, i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16)); // lone surrogates kept, as Python does
          i += 5;
        } else fail('bad escape');
        start = i;
      } else i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
  const readNumber = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('bad number');
    const literal = m[0];
    i += literal.length;
    const value = Number(literal);
    if (m[1] !== undefined || m[2] !== undefined) return [value, FLOAT];
    const digits = literal.replace('-', '');
    if (digits.length > MAX_INT_DIGITS) fail('integer literal too long');
    if (Math.abs(value) <= SAFE) return [value === 0 ? 0 : value, undefined];
    // Past every double: still an integer to Python, above (below) every double (see the top).
    if (!Number.isFinite(value)) return [Math.sign(value) * Number.MAX_VALUE, INEXACT];
    // Like credentials/_jcs.py: a big literal is fine only if it is exactly how JCS writes a double.
    return [value, String(value) === literal ? undefined : INEXACT];
  };

  for (;;) {
    ws();
    if (i >= n) fail('unexpected end');
    const ch = text[i];
    let value;
    let mark;
    let opened = false;
    if (ch === '{') {
      i++;
      const obj = newObject();
      place(obj);
      stack.push({ container: obj, key: null, isArray: false, seen: new Set() });
      opened = true;
      ws();
      if (text[i] === '}') {
        i++;
        stack.pop();
        opened = false;
      }
    } else if (ch === '[') {
      i++;
      const arr = [];
      place(arr);
      stack.push({ container: arr, isArray: true });
      opened = true;
      ws();
      if (text[i] === ']') {
        i++;
        stack.pop();
        opened = false;
      }
    } else if (ch === '"') {
      value = readString();
      place(value);
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      [value, mark] = readNumber();
      place(value, mark);
    } else if (text.startsWith('true', i)) {
      i += 4;
      place(true);
    } else if (text.startsWith('false', i)) {
      i += 5;
      place(false);
    } else if (text.startsWith('null', i)) {
      i += 4;
      place(null);
    } else if (/^(NaN|Infinity|-Infinity)/.test(text.slice(i, i + 9))) {
      fail('NaN and Infinity are not JSON values');
    } else fail('unexpected character');

    // After a value (or an opened container): expect a key, a separator or a close.
    if (opened) {
      const top = stack[stack.length - 1];
      if (!top.isArray) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = readString();
        if (top.seen.has(key)) throw new JsonError(`the key ${JSON.stringify(key.slice(0, 40))} appears twice in one object`);
        top.key = key;
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
      }
      continue;
    }
    for (;;) {
      if (stack.length === 0) {
        ws();
        if (i !== n) fail('extra data after the JSON value');
        if (!haveResult) fail('no value');
        return result;
      }
      const top = stack[stack.length - 1];
      ws();
      const c = text[i];
      if (c === ',') {
        i++;
        if (!top.isArray) {
          ws();
          if (text[i] !== '"') fail('expected a key');
          const key = readString();
          if (top.seen.has(key)) throw new JsonError(`the key ${JSON.stringify(key.slice(0, 40))} appears twice in one object`);
          top.key = key;
          ws();
          if (text[i] !== ':') fail("expected ':'");
          i++;
        }
        break;
      }
      if ((top.isArray && c === ']') || (!top.isArray && c === '}')) {
        i++;
        stack.pop();
        continue;
      }
      fail(top.isArray ? "expected ',' or ']'" : "expected ',' or '}'");
    }
  }
}

/** Text for a message about any parsed value: objects without a prototype have no toString, so
 * `String(value)` would throw on them (and did, on a JSON object as `proof.type`). */
export function describe(value) {
  if (value === undefined) return 'None';
  try {
    return typeof value === 'number' ? String(value) : JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'a list' : 'an object';
  }
}

/** Own property lookup that never reaches a prototype. */
export function get(value, ...path) {
  for (const key of path) {
    if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

export function has(value, key) {
  return isObject(value) && Object.prototype.hasOwnProperty.call(value, key);
}

/** A JSON object (not an array, not null). */
export function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}
