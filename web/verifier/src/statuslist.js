// W3C Bitstring Status List, decoded as credentials/status_list.py decodes it (same limits,
// same error codes).

import { base64urlDecode } from './encoding.js';
import { inflate } from './inflate.js';
import { get, isObject } from './json.js';

export const MIN_ENTRIES = 131_072;
export const MAX_ENTRIES = 8 * 16 * 1024 * 1024;
const MAX_ENCODED_CHARS = 4 * 1024 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
export const STATUS_PURPOSE = 'revocation';
export const ENTRY_TYPE = 'BitstringStatusListEntry';
const CREDENTIAL_TYPE = 'BitstringStatusListCredential';
const SUBJECT_TYPE = 'BitstringStatusList';

export class StatusListError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class StatusList {
  constructor(bytes) {
    this.bytes = bytes;
    this.length = bytes.length * 8;
  }

  get(index) {
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }
}

export async function decodeStatusList(encoded) {
  if (typeof encoded !== 'string') throw new StatusListError('STATUS_LIST_ENCODING', 'encodedList must be a string');
  if (!encoded.startsWith('u')) {
    throw new StatusListError('STATUS_LIST_ENCODING', "encodedList must be multibase base64url (prefix 'u')");
  }
  const body = encoded.slice(1);
  if (body.length > MAX_ENCODED_CHARS) throw new StatusListError('STATUS_LIST_TOO_LARGE', 'encodedList is too long');
  if (!BASE64URL.test(body) || body.length % 4 === 1) {
    throw new StatusListError('STATUS_LIST_ENCODING', 'encodedList is not base64url without padding');
  }
  const compressed = base64urlDecode(body);
  const limit = MAX_ENTRIES / 8;
  let data;
  try {
    data = await inflate('gzip', compressed, limit);
  } catch (error) {
    if (error.code === 'TOO_LARGE') {
      throw new StatusListError('STATUS_LIST_TOO_LARGE', `the bitstring inflates to more than ${limit} bytes; refused (decompression bomb?)`);
    }
    throw new StatusListError('STATUS_LIST_GZIP', `encodedList is not valid GZIP: ${error.message}`);
  }
  if (data.length * 8 < MIN_ENTRIES) {
    throw new StatusListError(
      'STATUS_LIST_LENGTH_ERROR',
      `the bitstring has ${data.length * 8} entries, fewer than the minimum ${MIN_ENTRIES}`,
    );
  }
  return new StatusList(data);
}

/** parse_status_list_credential: the structural checks, then the list. The proof is the caller's. */
export async function parseStatusListCredential(document, expectedPurpose = STATUS_PURPOSE) {
  if (!isObject(document)) throw new StatusListError('STATUS_LIST_CREDENTIAL', 'status list credential is not an object');
  const types = get(document, 'type');
  if (!Array.isArray(types) || !types.includes(CREDENTIAL_TYPE)) {
    throw new StatusListError('STATUS_LIST_CREDENTIAL', `status list credential type lacks ${CREDENTIAL_TYPE}`);
  }
  const subject = get(document, 'credentialSubject');
  if (!isObject(subject) || get(subject, 'type') !== SUBJECT_TYPE) {
    throw new StatusListError('STATUS_LIST_CREDENTIAL', `credentialSubject must be a ${SUBJECT_TYPE}`);
  }
  const purposes = get(subject, 'statusPurpose');
  const list = Array.isArray(purposes) ? purposes : [purposes];
  if (!list.includes(expectedPurpose)) {
    throw new StatusListError('STATUS_VERIFICATION_ERROR', `status list purpose is not ${expectedPurpose}`);
  }
  const encoded = get(subject, 'encodedList');
  if (typeof encoded !== 'string') throw new StatusListError('STATUS_LIST_ENCODING', 'encodedList must be a string');
  return decodeStatusList(encoded);
}
