/**
 * What the provider keeps in a resource instance's private data (opaque bytes Terraform stores
 * beside the state and hands back on the next operation), as JSON.
 *
 * - `replacing`: a plan of an existing object names it, so that if Terraform replaces it (the
 *   provider asked for it, or the user with `-replace=`) the second plan, a create, knows the
 *   resource deleted first.
 * - `unready`: an apply created or updated a listener that did not become `Running`, so the apply
 *   failed and Terraform taints the instance. Terraform plans a tainted instance's replacement as
 *   a plain create, with neither prior state nor private data, but it refreshes the instance
 *   first, in the same provider process: ReadResource sees the mark and records the id in the
 *   process's `LeftUnready` set, and the create's dry run then leaves out the port it holds, as
 *   the apply deletes it first.
 */

/** PrivateData is the provider's private data of one resource instance. */
export interface PrivateData {
  replacing?: string;
  unready?: true;
}

/** readPrivate reads private data; anything else (empty, another provider's bytes) is none. */
export function readPrivate(bytes: Buffer | undefined): PrivateData {
  if (!bytes || bytes.length === 0) return {};
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { replacing, unready } = parsed as Record<string, unknown>;
    return { ...(typeof replacing === 'string' ? { replacing } : {}), ...(unready === true ? { unready } : {}) };
  } catch {
    return {};
  }
}

/** writePrivate writes private data; none is empty bytes. */
export function writePrivate(data: PrivateData): Buffer {
  return Object.keys(data).length > 0 ? Buffer.from(JSON.stringify(data)) : Buffer.alloc(0);
}

/**
 * LeftUnready holds, for one provider process (one terraform command), the ids of listeners that
 * an earlier apply left not Running, as ReadResource found them in the state.
 */
export type LeftUnready = Set<string>;
