// Times as the Python verifier reads them. An instant is a BigInt of microseconds since
// 1970-01-01T00:00:00Z: Python compares datetimes to the microsecond, which a JS Date (ms) cannot.
//
// `fromIsoFormat` follows Python 3.11's `datetime.fromisoformat` (the ISO 8601 forms it accepts,
// including week dates and basic format; fractions past 6 digits are truncated), because the
// verifier uses it on `proof.created`, `validFrom`, key windows and the JSON Schema's date-time.

const US_PER_SECOND = 1_000_000n;
const US_PER_DAY = 86_400n * US_PER_SECOND;
export const CHINA_OFFSET_US = 8n * 3600n * US_PER_SECOND;

const isDigit = (c) => c !== undefined && c >= '0' && c <= '9';
const digits = (text) => {
  if (text.length === 0 || ![...text].every(isDigit)) throw new RangeError('not digits');
  return Number(text);
};

function isLeap(y) {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(y, m) {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z) {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

function checkDate(y, m, d) {
  if (y < 1 || y > 9999) throw new RangeError('year out of range');
  if (m < 1 || m > 12) throw new RangeError('month must be in 1..12');
  if (d < 1 || d > daysInMonth(y, m)) throw new RangeError('day is out of range for month');
}

function isoWeekToGregorian(year, week, day) {
  if (year < 1 || year > 9999) throw new RangeError('year out of range');
  if (!(week > 0 && week < 53)) {
    let ok = false;
    if (week === 53) {
      const firstWeekday = ((daysFromCivil(year, 1, 1) % 7) + 7 + 3) % 7; // Monday = 0
      ok = firstWeekday === 3 || (firstWeekday === 2 && isLeap(year));
    }
    if (!ok) throw new RangeError('invalid week');
  }
  if (!(day > 0 && day < 8)) throw new RangeError('invalid weekday');
  const jan4 = daysFromCivil(year, 1, 4);
  const jan4Weekday = (((jan4 + 3) % 7) + 7) % 7; // Monday = 0
  const week1Monday = jan4 - jan4Weekday;
  return civilFromDays(week1Monday + (week - 1) * 7 + (day - 1));
}

function separatorLocation(s) {
  const n = s.length;
  if (n === 7) return 7;
  if (s[4] === '-') {
    if (s[5] === 'W') {
      if (n < 8) throw new RangeError('invalid');
      if (n > 8 && s[8] === '-') {
        if (n === 9) throw new RangeError('invalid');
        if (n > 10 && isDigit(s[10])) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (s[4] === 'W') {
    let idx = 7;
    while (idx < n && isDigit(s[idx])) idx++;
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

function parseDate(s) {
  if (![7, 8, 10].includes(s.length)) throw new RangeError('invalid date');
  const year = digits(s.slice(0, 4));
  const hasSep = s[4] === '-';
  let pos = 4 + (hasSep ? 1 : 0);
  if (s[pos] === 'W') {
    pos += 1;
    const week = digits(s.slice(pos, pos + 2));
    pos += 2;
    let day = 1;
    if (s.length > pos) {
      if ((s[pos] === '-') !== hasSep) throw new RangeError('inconsistent separators');
      pos += hasSep ? 1 : 0;
      day = digits(s.slice(pos, pos + 1));
    }
    return isoWeekToGregorian(year, week, day);
  }
  const month = digits(s.slice(pos, pos + 2));
  pos += 2;
  if ((s[pos] === '-') !== hasSep) throw new RangeError('inconsistent separators');
  pos += hasSep ? 1 : 0;
  const day = digits(s.slice(pos, pos + 2));
  if (s.length !== pos + 2) throw new RangeError('invalid date');
  checkDate(year, month, day);
  return [year, month, day];
}

function parseHhMmSsFf(t) {
  const comps = [0, 0, 0, 0];
  let pos = 0;
  let hasSep = false;
  for (let comp = 0; comp < 3; comp++) {
    if (t.length - pos < 2) throw new RangeError('incomplete time component');
    comps[comp] = digits(t.slice(pos, pos + 2));
    pos += 2;
    const next = t[pos];
    if (comp === 0) hasSep = next === ':';
    if (next === undefined || comp >= 2) break;
    if (hasSep && next !== ':') throw new RangeError('invalid time separator');
    pos += hasSep ? 1 : 0;
  }
  if (pos < t.length) {
    if (t[pos] !== '.' && t[pos] !== ',') throw new RangeError('invalid microsecond component');
    pos += 1;
    const rest = t.slice(pos);
    const used = rest.slice(0, 6);
    comps[3] = digits(used) * 10 ** (6 - used.length);
    if (![...rest.slice(6)].every(isDigit)) throw new RangeError('non-digit values in fraction');
  }
  return comps;
}

function parseTime(t) {
  if (t.length < 2) throw new RangeError('time too short');
  const found = ['-', '+', 'Z'].map((c) => t.indexOf(c) + 1).find((p) => p > 0) ?? 0;
  const timeText = found > 0 ? t.slice(0, found - 1) : t;
  const [h, m, s, us] = parseHhMmSsFf(timeText);
  if (h > 23) throw new RangeError('hour must be in 0..23');
  if (m > 59) throw new RangeError('minute must be in 0..59');
  if (s > 59) throw new RangeError('second must be in 0..59');
  let offsetUs = null;
  if (found === t.length && t.endsWith('Z')) offsetUs = 0n;
  else if (found > 0) {
    const tz = t.slice(found);
    if ([0, 1, 3].includes(tz.length)) throw new RangeError('malformed time zone');
    const [oh, om, os, ous] = parseHhMmSsFf(tz);
    const sign = t[found - 1] === '-' ? -1n : 1n;
    offsetUs = sign * (((BigInt(oh) * 60n + BigInt(om)) * 60n + BigInt(os)) * US_PER_SECOND + BigInt(ous));
    if (offsetUs >= US_PER_DAY || offsetUs <= -US_PER_DAY) throw new RangeError('offset out of range');
  }
  return { h, m, s, us, offsetUs };
}

/** Python's datetime.fromisoformat: {instantUs (as if UTC when naive), offsetUs or null}. */
export function fromIsoFormat(text) {
  if (typeof text !== 'string') throw new TypeError('not a string');
  if (text.length < 7) throw new RangeError('invalid isoformat string');
  if (![...text].every((c) => c.charCodeAt(0) < 128)) throw new RangeError('invalid isoformat string');
  const sep = separatorLocation(text);
  const [y, mo, d] = parseDate(text.slice(0, sep));
  const rest = text.slice(sep + 1);
  const time = rest ? parseTime(rest) : { h: 0, m: 0, s: 0, us: 0, offsetUs: null };
  const local =
    BigInt(daysFromCivil(y, mo, d)) * US_PER_DAY +
    BigInt((time.h * 60 + time.m) * 60 + time.s) * US_PER_SECOND +
    BigInt(time.us);
  return { instantUs: local - (time.offsetUs ?? 0n), offsetUs: time.offsetUs };
}

// credentials/_timestamp.py: the one form of a date-time, and the instants both sides can hold
// (the date in UTC and in China time within the years 1 to 9999).
const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$/;
const EARLIEST_US = BigInt(daysFromCivil(1, 1, 1)) * US_PER_DAY;
const LATEST_US = BigInt(daysFromCivil(9999, 12, 31)) * US_PER_DAY + 16n * 3600n * US_PER_SECOND - 1n;

/** credentials.bundle.parse_timestamp: an RFC 3339 date-time with an offset, as µs. */
export function parseTimestamp(value) {
  if (typeof value !== 'string' || value.length > 64 || !RFC3339.test(value)) {
    throw new RangeError('not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM))');
  }
  const { instantUs } = fromIsoFormat(value);
  if (instantUs < EARLIEST_US || instantUs > LATEST_US) throw new RangeError('the date-time lies outside the years 1 to 9999');
  return instantUs;
}

/** `date.fromisoformat` for the bundle's listing days: days since the epoch. */
export function parseDate8601(value) {
  if (typeof value !== 'string' || ![7, 8, 10].includes(value.length)) throw new RangeError('invalid date');
  const [y, m, d] = parseDate(value);
  return daysFromCivil(y, m, d);
}

/** `YYYY-MM-DDTHH:MM:SSZ`, whole seconds, as credentials.bundle.format_timestamp writes it. */
export function formatTimestamp(us) {
  const days = Number(us / US_PER_DAY - (us % US_PER_DAY < 0n ? 1n : 0n));
  const inDay = Number((us - BigInt(days) * US_PER_DAY) / US_PER_SECOND);
  const [y, m, d] = civilFromDays(days);
  const pad = (v, n = 2) => String(v).padStart(n, '0');
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(Math.floor(inDay / 3600))}:${pad(Math.floor(inDay / 60) % 60)}:${pad(inDay % 60)}Z`;
}

/** The calendar day in China (UTC+8, no daylight saving) of an instant, as days since epoch. */
export function chinaDay(us) {
  const shifted = us + CHINA_OFFSET_US;
  return Number(shifted / US_PER_DAY - (shifted % US_PER_DAY < 0n ? 1n : 0n));
}

export function formatDay(days) {
  const [y, m, d] = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function nowUs() {
  return BigInt(Date.now()) * 1000n;
}

export function fromDate(date) {
  return BigInt(date.getTime()) * 1000n;
}

export const SECOND = US_PER_SECOND;
export const DAY = US_PER_DAY;

/** Like verifier._duration: "1 d 6 h", "3 h 5 min", "12 min". */
export function duration(us) {
  let seconds = Number((us < 0n ? -us : us) / US_PER_SECOND);
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds - hours * 3600) / 60);
  const parts = days ? [`${days} d`] : [];
  if (hours || days) parts.push(`${hours} h`);
  if (!days) parts.push(`${minutes} min`);
  return parts.join(' ');
}

// XML Schema dateTime, as credentials/_proof.py's is_xsd_datetime.
const XSD_DATETIME =
  /^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$/;

export function isXsdDatetime(value, requireTimezone = false) {
  if (typeof value !== 'string') return false;
  const m = XSD_DATETIME.exec(value);
  if (!m || (requireTimezone && m[8] === undefined)) return false;
  const year = Number(m[1]);
  if (value.startsWith('-') || year > 9999) return true;
  return Number(m[3]) <= daysInMonth(year || 2000, Number(m[2]));
}
