/**
 * Snapshots travel to a worker as deltas against the last one sent to it: an item (listener,
 * certificate, group, …) the compiler carried over unchanged — the very same frozen object — is
 * sent as its index in the previous snapshot, and the worker puts its own copy of that item
 * back in place. So a certificate rotated under 1,000 listeners sends one certificate, not the
 * configuration; and the worker's engine gets back the objects it already runs, whose identity
 * lets it skip comparing them field by field (a copy of every listener would cost it tens of
 * milliseconds of a blocked event loop per change). The first snapshot to a worker, and every
 * one after it (re)connects, is whole.
 */
import type { EngineSnapshot } from '../../schema/snapshot.ts';

/** Collection names the snapshot's item arrays. */
type Collection = 'loadBalancers' | 'listeners' | 'quicListeners' | 'certificates' | 'tlsPolicies' | 'serverGroups';

/** An item of collection K, or the index of the same item in the base snapshot. */
type DeltaItems<K extends Collection> = readonly (EngineSnapshot[K][number] | number)[];

/** SnapshotDelta is a snapshot as sent: whole items, and indexes into the base for the rest. */
export type SnapshotDelta = {
  /** The sequence number of the snapshot the indexes point into; null when nothing is reused. */
  readonly base: number | null;
  readonly format: EngineSnapshot['format'];
  readonly version: number;
} & { readonly [K in Collection]: DeltaItems<K> };

/** encodeDelta encodes `next` against `base` (the last snapshot sent to this worker, as sent under `baseSeq`). */
export function encodeDelta(next: EngineSnapshot, base: EngineSnapshot | undefined, baseSeq: number | null): SnapshotDelta {
  const encode = <K extends Collection>(key: K): DeltaItems<K> => {
    const items = next[key] as readonly EngineSnapshot[K][number][];
    if (base === undefined) return items;
    const index = new Map<unknown, number>();
    (base[key] as readonly unknown[]).forEach((item, i) => index.set(item, i));
    return items.map((item) => index.get(item) ?? item);
  };
  return {
    base: base === undefined ? null : baseSeq,
    format: next.format,
    version: next.version,
    loadBalancers: encode('loadBalancers'),
    listeners: encode('listeners'),
    quicListeners: encode('quicListeners'),
    certificates: encode('certificates'),
    tlsPolicies: encode('tlsPolicies'),
    serverGroups: encode('serverGroups'),
  };
}

/** DeltaDecoder is a worker's side: it keeps the last snapshot it decoded, for the next delta. */
export class DeltaDecoder {
  #last: { readonly seq: number; readonly snapshot: EngineSnapshot } | undefined;

  /** decode rebuilds the snapshot sent under `seq`; a delta against a snapshot it does not hold is refused. */
  decode(seq: number, delta: SnapshotDelta): EngineSnapshot {
    const base = delta.base === null ? undefined : this.#last;
    if (delta.base !== null && base?.seq !== delta.base) {
      throw new Error(`the snapshot refers to snapshot ${delta.base}, which this worker does not hold (it holds ${base?.seq ?? 'none'})`);
    }
    const decode = <K extends Collection>(key: K): EngineSnapshot[K] => {
      const from = base?.snapshot[key] as readonly EngineSnapshot[K][number][] | undefined;
      return (delta[key] as DeltaItems<K>).map((item) => {
        if (typeof item !== 'number') return item;
        const reused = from?.[item];
        if (reused === undefined) throw new Error(`the snapshot refers to ${key}[${item}] of snapshot ${delta.base}, which has no such item`);
        return reused;
      }) as unknown as EngineSnapshot[K];
    };
    const snapshot: EngineSnapshot = {
      format: delta.format,
      version: delta.version,
      loadBalancers: decode('loadBalancers'),
      listeners: decode('listeners'),
      quicListeners: decode('quicListeners'),
      certificates: decode('certificates'),
      tlsPolicies: decode('tlsPolicies'),
      serverGroups: decode('serverGroups'),
    };
    this.#last = { seq, snapshot };
    return snapshot;
  }
}
