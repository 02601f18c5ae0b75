/**
 * Entity tags for conditional reads (SPEC §3): a list's ETag is a strong validator over the very
 * JSON it sends, so any change in it (a new resource, a listener's status) gives a new tag, and a
 * client that polls with If-None-Match gets a body-less 304 while nothing changed.
 */
import { createHash } from 'node:crypto';
import type { ResourceKind } from '../../schema/resource-kind.ts';

/** bodyTag is the strong ETag of a serialized body: a quoted digest of its bytes. */
export function bodyTag(json: string): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/**
 * noneMatch says whether an If-None-Match header names the current tag (RFC 9110 §13.1.2: weak
 * comparison, so `W/"x"` matches `"x"`; `*` matches any current representation).
 */
export function noneMatch(header: string | string[] | undefined, tag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  return value
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === tag);
}

/**
 * versionFixesBody says whether a kind's read stays the same for as long as its version does: not
 * so for listeners (their status changes without a write) nor certificates (`expired` follows the
 * clock), so their reads never answer 304 to an If-None-Match naming the version.
 */
export function versionFixesBody(kind: ResourceKind): boolean {
  return !kind.runtimeStatus && kind.readTimeFields.length === 0;
}
