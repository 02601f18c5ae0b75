/**
 * Nodes killed under writes: a write a node acknowledged is committed in PostgreSQL, so it
 * outlives the node that answered it — every node reads it after any number of SIGKILLs. A
 * create repeated with its Idempotency-Key through another node after a connection broke
 * makes no second resource, whether or not the first attempt had been committed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/eventually.ts';
import type { Reply } from './support/cluster-nodes.ts';
import { ClusterScenarios } from './support/scenario.ts';

let scenarios: ClusterScenarios;

beforeAll(async () => {
  scenarios = await ClusterScenarios.start();
});
afterEach(async () => {
  await scenarios.cleanUp();
});
afterAll(async () => {
  await scenarios?.destroy();
});

const KILLS = 20;
const WRITERS = 6;
/** KILL_INTERVAL_MS is the time between two kills; the killed node restarts meanwhile (it takes 1–4 s here). */
const KILL_INTERVAL_MS = 1500;
/** RETRY_PAUSE_MS spaces a writer's attempts when no node answers, rather than spinning on refused connections. */
const RETRY_PAUSE_MS = 25;
/** WRITER_PAUSE_MS spaces one writer's creates, so that restarts get their share of two CPUs. */
const WRITER_PAUSE_MS = 20;

describe('nodes killed under concurrent writes', () => {
  it(`${KILLS} SIGKILLs under ${WRITERS} writers: every acknowledged create is read back on every node, none twice`, { timeout: 90_000 }, async () => {
    const nodes = await scenarios.nodes();
    const acknowledged = new Map<string, string>();
    const counts = { created: 0, createdOnRetry: 0, connectionErrors: 0, unavailable: 0 };
    const unexpected: string[] = [];
    let writing = true;

    /** writer creates server groups through node w mod 3, moving on to the next node when one does not answer. */
    const writer = async (w: number): Promise<void> => {
      let target = w % nodes.all.length;
      for (let seq = 0; writing; seq++) {
        const name = `writer-${w}-${seq}`;
        const key = randomUUID();
        let retried = false;
        while (writing) {
          const node = nodes.all[target]!;
          let res: Reply;
          try {
            res = await node.call('POST', '/v1/server-groups', { name }, { 'idempotency-key': key });
          } catch {
            counts.connectionErrors++;
            retried = true;
            target = (target + 1) % nodes.all.length;
            await sleep(RETRY_PAUSE_MS);
            continue;
          }
          if (res.status === 201) {
            counts.created++;
            if (retried) counts.createdOnRetry++;
            acknowledged.set(name, res.body.id as string);
            break;
          }
          if (res.status === 503 && res.body?.code === 'STORE_UNAVAILABLE') {
            counts.unavailable++;
            retried = true;
            target = (target + 1) % nodes.all.length;
            await sleep(RETRY_PAUSE_MS);
            continue;
          }
          unexpected.push(`${node.name} ${name}: ${res.status} ${res.text.slice(0, 300)}`);
          break;
        }
        await sleep(WRITER_PAUSE_MS);
      }
    };

    const started = Date.now();
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    const restartMs: number[] = [];
    const restartFailures: unknown[] = [];
    // Each node restarts while the next one is killed; a node is killed again only once its last restart is done.
    const restarting = new Map<string, Promise<void>>();
    try {
      for (let k = 0; k < KILLS; k++) {
        const victim = nodes.all[k % nodes.all.length]!;
        await restarting.get(victim.name);
        await victim.kill();
        const killedAt = Date.now();
        restarting.set(
          victim.name,
          victim.start().then(
            () => void restartMs.push(Date.now() - killedAt),
            (err: unknown) => void restartFailures.push(err),
          ),
        );
        await sleep(KILL_INTERVAL_MS);
      }
      await Promise.all(restarting.values());
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    expect(restartFailures).toEqual([]);
    const figures = `${KILLS} kills in ${Date.now() - started} ms (restart ${Math.min(...restartMs)}–${Math.max(...restartMs)} ms); ${counts.created} creates acknowledged (${counts.createdOnRetry} after a failed attempt, repeated with its key through another node), ${counts.connectionErrors} connection errors, ${counts.unavailable} 503s`;
    console.log(figures);
    expect(unexpected, figures).toEqual([]);
    expect(counts.created, figures).toBeGreaterThan(KILLS);
    expect(counts.connectionErrors, `${figures}: no kill ever broke a writer's connection`).toBeGreaterThan(0);

    for (const n of nodes.all) {
      const items = await n.list('server-groups');
      const byName = new Map<string, string[]>();
      for (const i of items) byName.set(i.name, [...(byName.get(i.name) ?? []), i.id]);
      const missing = [...acknowledged].filter(([name, id]) => !byName.get(name)?.includes(id));
      const twice = [...byName].filter(([, ids]) => ids.length > 1);
      expect({ node: n.name, missing, twice }, figures).toEqual({ node: n.name, missing: [], twice: [] });
    }
  });
});
