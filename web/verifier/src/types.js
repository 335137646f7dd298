// What a document says it is: the credential types both verifiers know, and the one routing rule
// for continuing-education records (credentials/ce_record.py's is_ce_record).

import { get, isObject } from './json.js';

export const CERTIFICATE_TYPE = 'ProfessionalTechnicalLevelCertificate';
export const CE_TYPE = 'ContinuingEducationRecord';

/** Whether `document` says it is a continuing-education record: its `type` (a list) lists it, and
 * not the certificate's type too (such a document is checked, and described, as a certificate). */
export function isCeRecord(document) {
  const kinds = isObject(document) ? get(document, 'type') : null;
  return Array.isArray(kinds) && kinds.includes(CE_TYPE) && !kinds.includes(CERTIFICATE_TYPE);
}
