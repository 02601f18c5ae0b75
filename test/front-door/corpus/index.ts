/**
 * CORPUS: every malformed, ambiguous and smuggling HTTP/1.x input of the front door with what
 * SPEC 2.1 says must happen to it, grouped by input class. The corpus checks itself when loaded
 * (unique names, every SPEC row present), so a row cannot silently shadow another.
 */
import { CHUNKED_ROWS } from './chunked.ts';
import { FIELD_ROWS } from './fields.ts';
import { FRAMING_ROWS } from './framing.ts';
import { HOST_ROWS } from './host.ts';
import { PIPELINED_ROWS } from './pipelined.ts';
import { REQUEST_LINE_ROWS } from './request-line.ts';
import { TARGET_ROWS } from './targets.ts';
import { SPEC_ROWS, type CorpusRow, type InputClass } from './types.ts';
import { UPGRADE_ROWS } from './upgrades.ts';

export { MARKER, MARKER_SIGNS } from './build.ts';
export { UNDERSCORE_ROWS } from './fields.ts';
export { WS_ANSWERS, WS_KEY, type WsAnswer } from './upgrades.ts';
export * from './types.ts';

/** CORPUS is every row, in class order. */
export const CORPUS: readonly CorpusRow[] = Object.freeze([
  ...REQUEST_LINE_ROWS,
  ...TARGET_ROWS,
  ...HOST_ROWS,
  ...FIELD_ROWS,
  ...FRAMING_ROWS,
  ...CHUNKED_ROWS,
  ...UPGRADE_ROWS,
  ...PIPELINED_ROWS,
]);

/** CLASSES lists the input classes in SPEC order. */
export const CLASSES = Object.keys(SPEC_ROWS) as InputClass[];

/** countByClass is how many rows each class holds. */
export function countByClass(rows: readonly CorpusRow[] = CORPUS): Record<InputClass, number> {
  const counts = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<InputClass, number>;
  for (const r of rows) counts[r.class]++;
  return counts;
}

function selfCheck(): void {
  const seen = new Set<string>();
  for (const r of CORPUS) {
    if (seen.has(r.name)) throw new Error(`corpus: two rows named ${JSON.stringify(r.name)}`);
    seen.add(r.name);
  }
  const counts = countByClass();
  const empty = CLASSES.filter((c) => counts[c] === 0);
  if (empty.length > 0) throw new Error(`corpus: no rows for ${empty.join(', ')}`);
}

selfCheck();
