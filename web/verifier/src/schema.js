// A small JSON Schema (2020-12) validator for the two schemas the verifier applies, read from
// credentials/schemas/ at build time so that there is one source of truth. It knows only the
// keywords those schemas use and refuses to compile a schema with any other, so a schema change
// that needs more fails loudly in the tests instead of being half-checked here.
//
// It answers as Python's `jsonschema` does with the project's extensions (credentials/
// certificate.py): patterns are searched as Python's `re` does (so `\s` means Python's
// whitespace), `format` checks only date-time (Python's fromisoformat with an offset) and uri
// (urlsplit gives a scheme and a host), and 1.0 counts as an integer.

import { get, isObject } from './json.js';
import { fromIsoFormat } from './time.js';

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs', '$comment']);
const KEYWORDS = new Set([
  'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'pattern',
  'minLength', 'maxLength', 'minimum', 'maximum', 'multipleOf', '$ref', 'format', 'items',
  'minItems', 'contains', 'oneOf', 'propertyNames',
]);

// Python's str.isspace(), which is what `\s` matches in Python's `re`.
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
export const PY_WHITESPACE = new RegExp(`[${PY_SPACE}]`, 'gu');

/** A Python `re` pattern as an equivalent JS RegExp (for the constructs the schemas use). */
export function pythonPattern(pattern) {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1];
      i++;
      if (e === 's') out += inClass ? PY_SPACE : `[${PY_SPACE}]`;
      else if (e === 'S') {
        if (inClass) throw new Error(`\\S inside a class is not supported: ${pattern}`);
        out += `[^${PY_SPACE}]`;
      } else if ('dDwWbBAZ'.includes(e)) throw new Error(`\\${e} differs between Python and JS: ${pattern}`);
      else out += '\\' + e;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    else if (c === '.' && !inClass) throw new Error(`'.' differs between Python and JS: ${pattern}`);
    out += c;
  }
  return new RegExp(out, 'u');
}

const codePoints = (text) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** jsonschema's equality: numbers by value, true is not 1, objects by members. */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function typeOk(name, value) {
  switch (name) {
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'null': return value === null;
    case 'number': return typeof value === 'number';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    default: throw new Error(`unknown type ${name}`);
  }
}

// --- formats ---------------------------------------------------------------------------------

function isDateTime(value) {
  try {
    return fromIsoFormat(value).offsetUs !== null;
  } catch {
    return false;
  }
}

function isIpv4(text) {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && !(p.length > 1 && p[0] === '0') && Number(p) <= 255);
}

/** ipaddress.IPv6Address (Python 3.11): groups, one '::', an IPv4 tail, a scope id. */
export function isIpv6(text) {
  const [address, ...scope] = text.split('%');
  if (scope.length > 1 || (scope.length === 1 && scope[0] === '')) return false;
  let parts = address.split(':');
  if (parts.length < 3) return false;
  if (parts[parts.length - 1].includes('.')) {
    if (!isIpv4(parts.pop())) return false;
    parts = [...parts, '0', '0'];
  }
  if (parts.length > 9) return false;
  const empty = parts.slice(1, -1).map((p, i) => (p === '' ? i + 1 : -1)).filter((i) => i >= 0);
  if (empty.length > 1) return false;
  if (empty.length === 1) {
    let hi = empty[0];
    let lo = parts.length - hi - 1;
    if (parts[0] === '') if (--hi) return false;
    if (parts[parts.length - 1] === '') if (--lo) return false;
    if (8 - (hi + lo) < 1) return false;
  } else if (parts.length !== 8 || parts[0] === '' || parts[7] === '') return false;
  return parts.every((p) => p === '' || /^[0-9a-fA-F]{1,4}$/.test(p));
}

/** urllib.parse.urlsplit gives a scheme and a netloc without raising ValueError. */
export function isUri(value) {
  let url = value.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon);
    url = url.slice(colon + 1);
  }
  if (!url.startsWith('//')) return false;
  const rest = url.slice(2);
  const end = rest.search(/[/?#]/);
  const netloc = end < 0 ? rest : rest.slice(0, end);
  const open = netloc.includes('[');
  const close = netloc.includes(']');
  if (open !== close) return false;
  if (open) {
    const after = netloc.slice(netloc.indexOf('[') + 1);
    const host = after.includes(']') ? after.slice(0, after.indexOf(']')) : after;
    if (host.startsWith('v')) {
      if (!/^v[a-fA-F0-9]+\.[^\n]+$/u.test(host)) return false;
    } else if (isIpv4(host) || !isIpv6(host)) return false;
  }
  // _checknetloc: NFKC must not make URL delimiters appear in a non-ASCII host.
  if (/[^\x00-\x7f]/.test(netloc)) {
    const n = netloc.replace(/[@:#?]/g, '');
    const normalised = n.normalize('NFKC');
    if (n !== normalised && /[/?#@:]/.test(normalised)) return false;
  }
  return scheme !== '' && netloc !== '';
}

const FORMATS = { 'date-time': isDateTime, uri: isUri };

// --- compile and validate --------------------------------------------------------------------

/** Compile `root`; returns validate(instance) -> list of {path, message}. */
export function compileSchema(root) {
  const compiled = new Map();

  const resolve = (ref) => {
    if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported: ${ref}`);
    return ref.slice(2).split('/').reduce((node, part) => node[part], root);
  };

  const compile = (schema) => {
    if (compiled.has(schema)) return compiled.get(schema);
    const entry = { schema };
    compiled.set(schema, entry);
    for (const key of Object.keys(schema)) {
      if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`unsupported schema keyword ${key}`);
    }
    if (schema.pattern !== undefined) entry.regex = pythonPattern(schema.pattern);
    for (const key of ['items', 'contains', 'propertyNames']) if (schema[key]) compile(schema[key]);
    if (isObject(schema.additionalProperties)) compile(schema.additionalProperties);
    for (const sub of Object.values(schema.properties ?? {})) compile(sub);
    for (const sub of schema.oneOf ?? []) compile(sub);
    if (schema.$ref) compile(resolve(schema.$ref));
    for (const sub of Object.values(schema.$defs ?? {})) compile(sub);
    return entry;
  };

  const validate = (schema, value, path, errors) => {
    const { regex } = compiled.get(schema);
    const error = (message) => errors.push({ path: path || '', message });
    if (schema.$ref) validate(resolve(schema.$ref), value, path, errors);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => typeOk(t, value))) error(`is not of type ${types.join(', ')}`);
    }
    if (Object.prototype.hasOwnProperty.call(schema, 'const') && !jsonEqual(schema.const, value)) error('does not match the constant');
    if (schema.enum && !schema.enum.some((option) => jsonEqual(option, value))) error('is not one of the allowed values');
    if (typeof value === 'string') {
      if (regex && !regex.test(value)) error(`does not match ${schema.pattern}`);
      if (schema.minLength !== undefined && codePoints(value) < schema.minLength) error('is too short');
      if (schema.maxLength !== undefined && codePoints(value) > schema.maxLength) error('is too long');
      if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format](value)) error(`is not a ${schema.format}`);
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) error(`is less than ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) error(`is more than ${schema.maximum}`);
      if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) error(`is not a multiple of ${schema.multipleOf}`);
    }
    if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) error('has too few items');
      if (schema.items) value.forEach((item, i) => validate(schema.items, item, `${path}/${i}`, errors));
      if (schema.contains && !value.some((item) => validate(schema.contains, item, path, []).length === 0)) {
        error('contains no matching item');
      }
    }
    if (isObject(value)) {
      for (const name of schema.required ?? []) {
        if (!Object.prototype.hasOwnProperty.call(value, name)) error(`'${name}' is a required property`);
      }
      const properties = schema.properties ?? {};
      for (const [name, item] of Object.entries(value)) {
        const pointer = `${path}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (Object.prototype.hasOwnProperty.call(properties, name)) validate(properties[name], item, pointer, errors);
        else if (schema.additionalProperties === false) error(`additional property '${name}' is not allowed`);
        else if (isObject(schema.additionalProperties)) validate(schema.additionalProperties, item, pointer, errors);
        if (schema.propertyNames) validate(schema.propertyNames, name, path, errors);
      }
    }
    if (schema.oneOf) {
      const passing = schema.oneOf.filter((sub) => validate(sub, value, path, []).length === 0).length;
      if (passing !== 1) error(passing ? 'is valid under more than one of the given schemas' : 'is not valid under any of the given schemas');
    }
    return errors;
  };

  compile(root);
  return (instance) => validate(root, instance, '', []);
}

export { get };
