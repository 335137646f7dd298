// The citizen ID number (GB 11643-1999), normalised as credentials/idnumber.py does before the
// holder binding is recomputed. Messages never repeat the number.

import { PY_WHITESPACE } from './schema.js';
import { daysInMonth } from './time.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const PROVINCES = new Set(
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(' '),
);

export class IdNumberError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** ISO 7064 MOD 11-2 over 17 ASCII digits (ID numbers and certificate numbers). */
export function mod112Check(digits17) {
  if (!/^[0-9]{17}$/.test(digits17)) throw new RangeError('MOD 11-2 needs exactly 17 ASCII digits');
  const total = [...digits17].reduce((sum, c, i) => sum + Number(c) * WEIGHTS[i], 0);
  return CHECK[total % 11];
}

function localToday() {
  const now = new Date();
  return [now.getFullYear(), now.getMonth() + 1, now.getDate()];
}

/** The canonical 18-character form, or IdNumberError saying what is wrong. */
export function normaliseIdNumber(raw, today = localToday()) {
  if (typeof raw !== 'string') throw new IdNumberError('ID_NUMBER_TYPE', 'ID number must be a string');
  const value = raw.replace(PY_WHITESPACE, '').toUpperCase();
  const length = [...value].length;
  if (length === 15 && /^[0-9]{15}$/.test(value)) {
    throw new IdNumberError('ID_NUMBER_LEGACY', '15-digit (first-generation) ID numbers are not accepted; use the 18-character number');
  }
  if (length !== 18) throw new IdNumberError('ID_NUMBER_LENGTH', `ID number must have 18 characters, got ${length}`);
  const body = value.slice(0, 17);
  const check = value[17];
  if (!/^[0-9]{17}$/.test(body)) throw new IdNumberError('ID_NUMBER_CHARACTERS', 'the first 17 characters must be digits');
  if (!'0123456789X'.includes(check)) throw new IdNumberError('ID_NUMBER_CHARACTERS', 'the last character must be a digit or X');
  const [y, m, d] = [Number(body.slice(6, 10)), Number(body.slice(10, 12)), Number(body.slice(12, 14))];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new IdNumberError('ID_NUMBER_BIRTH_DATE', 'the birth date (characters 7-14) is not a date');
  }
  const [ty, tm, td] = today;
  const after = y > ty || (y === ty && (m > tm || (m === tm && d > td)));
  if (y < 1900 || after) throw new IdNumberError('ID_NUMBER_BIRTH_DATE', 'the birth date (characters 7-14) is out of range');
  if (!PROVINCES.has(body.slice(0, 2))) throw new IdNumberError('ID_NUMBER_REGION', 'the region code (characters 1-2) is not a province code');
  if (mod112Check(body) !== check) throw new IdNumberError('ID_NUMBER_CHECK', 'check character wrong (mistyped digit?)');
  return value;
}
