/**
 * The arithmetic and argument checks benchmarks share: the median of a run's rounds, and a
 * command-line count that must be a positive whole number.
 */

/** median is the middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** positiveCount reads option `--name` as a positive whole number, or throws naming it. */
export function positiveCount(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got "${text}"`);
  return n;
}
