/**
 * The byte classes of RFC 9110 the HTTP/1.x front judges fields by, as lookup tables indexed by
 * byte (or UTF-16 code unit below 256): one check per byte on the request path.
 */

/** TOKEN marks tchar: the bytes of methods, field names, codings and extension names. */
export const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

/** FIELD_VALUE marks the bytes a field value may hold: HTAB, SP, VCHAR and obs-text (no controls, no DEL). */
export const FIELD_VALUE = new Uint8Array(256);
FIELD_VALUE[9] = 1;
for (let c = 32; c < 256; c++) if (c !== 127) FIELD_VALUE[c] = 1;

/** isTokenChar tells whether a UTF-16 code unit is a tchar. */
export function isTokenChar(c: number): boolean {
  return c < 256 && TOKEN[c] === 1;
}

/** isFieldValueChar tells whether a UTF-16 code unit may stand in a field value. */
export function isFieldValueChar(c: number): boolean {
  return c < 256 && FIELD_VALUE[c] === 1;
}
