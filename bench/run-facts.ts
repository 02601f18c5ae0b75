/**
 * The facts a benchmark's results name about where and when they were measured: the operating
 * system and times in UTC, written the same way by every benchmark.
 */
import { readFileSync } from 'node:fs';

/** osName is the operating system's pretty name (/etc/os-release), or `Linux`. */
export function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** utc writes a time as `2026-12-07 17:15 UTC`. */
export function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
