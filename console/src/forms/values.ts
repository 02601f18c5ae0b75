/**
 * A form's value is the request body being written, as plain JSON. These helpers read and
 * write it at a field path (`forwardedHeaders.clientIp.trustedProxies[1]`), without mutating:
 * writing `undefined` removes the field, so an emptied input leaves the field to its default.
 */

/** Body is a request body being edited. */
export type Body = Record<string, unknown>;

/** Segment is one step of a path: a property name or a list index. */
export type Segment = string | number;

/** joinKey appends a property to a path. */
export function joinKey(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** segmentsOf splits a path as the forms write it (`a.b[1].c`) into its segments. */
export function segmentsOf(path: string): Segment[] {
  const out: Segment[] = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    out.push(part.startsWith('[') ? Number(part.slice(1, -1)) : part);
  }
  return out;
}

/** getAt reads the value at a path, or undefined when any step is missing. */
export function getAt(value: unknown, path: string): unknown {
  let v = value;
  for (const seg of segmentsOf(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function setIn(container: unknown, segs: readonly Segment[], value: unknown): unknown {
  const [head, ...rest] = segs;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const list = Array.isArray(container) ? [...(container as unknown[])] : [];
    list[head] = setIn(list[head], rest, value);
    return list;
  }
  const obj: Record<string, unknown> = container !== null && typeof container === 'object' && !Array.isArray(container) ? { ...(container as Body) } : {};
  const next = setIn(obj[head], rest, value);
  if (next === undefined) delete obj[head];
  else obj[head] = next;
  return obj;
}

/** setAt returns a copy of the body with the value at a path replaced (undefined removes it). */
export function setAt(body: Body, path: string, value: unknown): Body {
  return setIn(body, segmentsOf(path), value) as Body;
}

/** templateOf turns a path into its schema path: list indexes become `[]`. */
export function templateOf(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}

/** without returns a copy of a body without some top-level fields. */
export function without(body: Body, fields: Iterable<string>): Body {
  const copy = { ...body };
  for (const f of fields) delete copy[f];
  return copy;
}
