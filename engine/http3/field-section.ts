/**
 * FieldSection: one decoded (or to-be-encoded) field section as the rest of the engine holds
 * fields — a flat list `name, value, name, value, …` like the HTTP/1.x front's raw headers — plus
 * which lines carry QPACK's "never index" mark (RFC 9204 §4.5.4, §7.1.3), rare enough to be a
 * short list of line numbers rather than a flag per line.
 */

/** FieldSection holds the lines of one HEADERS frame in order. */
export class FieldSection {
  /** Names and values alternating; names in lower case, strings in latin1 (one code unit per octet). */
  readonly fields: string[] = [];
  /** Line numbers (fields index / 2) whose value must never be put in a compression table. */
  readonly neverIndexed: number[] = [];

  /** lineCount is the number of field lines. */
  get lineCount(): number {
    return this.fields.length >>> 1;
  }

  /** add appends a line. */
  add(name: string, value: string, neverIndex = false): void {
    if (neverIndex) this.neverIndexed.push(this.fields.length >>> 1);
    this.fields.push(name, value);
  }

  /** isNeverIndexed tells whether line `line` carries the never-index mark. */
  isNeverIndexed(line: number): boolean {
    return this.neverIndexed.length !== 0 && this.neverIndexed.includes(line);
  }
}

/** FIELD_LINE_OVERHEAD is what RFC 9114 §4.2.2 adds per line to the name and value lengths when sizing a section. */
export const FIELD_LINE_OVERHEAD = 32;
