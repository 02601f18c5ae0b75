/**
 * Several `gatehouse serve` nodes on one PostgreSQL store, as real processes: a write through
 * any node reaches every node's engine within a second, and the checks that span the whole
 * configuration (If-Match, Idempotency-Key, port conflicts) hold across nodes as they hold
 * within one, since every write takes the cluster-wide write lock on the latest state.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { cleanEnv, GATEHOUSE_CLI } from '../helpers/gatehouse-serve.ts';
import { ClusterNode, newSecrets } from './support/cluster-nodes.ts';
import { ClusterScenarios, delaysFrom, listenerPort, nodeStatuses, serve, serverGroupFor, whenServed } from './support/scenario.ts';

const run = promisify(execFile);
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

describe.sequential('a cluster of three nodes on one PostgreSQL store', () => {
  it('a listener created through node 2 serves on all three nodes within 1 s of the answer, and reads Running on each', async () => {
    const nodes = await scenarios.nodes();
    const backend = await scenarios.backend('backend-a');
    const port = await listenerPort(nodes);
    const lb = await nodes.node(2).create('load-balancers', { name: 'cluster', address: '0.0.0.0' });
    const sg = await nodes.node(2).create('server-groups', serverGroupFor('backends', backend));

    // Each node's copy of the listener is polled from before the write, so none is missed.
    const polling = whenServed(nodes.all, port, 'backend-a', 10_000);
    const created = await nodes.node(2).call('POST', '/v1/listeners', { loadBalancerId: lb.id, protocol: 'HTTP', port, defaultServerGroupId: sg.id });
    const answeredAt = Date.now();
    expect(created.status, created.text).toBe(201);
    const delays = delaysFrom(nodes.all, await polling, answeredAt);
    const report = `ms from the API's answer to the first 200 on each node: ${JSON.stringify(delays)}`;
    console.log(report);
    for (const n of nodes.all) {
      expect(delays[n.name], report).not.toBe('never');
      expect(delays[n.name], report).toBeLessThanOrEqual(1000);
    }

    // Peers publish their verdicts after they apply: the status converges on Running everywhere.
    const read = await eventually(
      async () => {
        const l = await nodes.node(4).read('listeners', created.body.id);
        expect({ status: l.status, nodes: nodeStatuses(l) }).toEqual({ status: 'Running', nodes: ['node-2=Running', 'node-3=Running', 'node-4=Running'] });
        return l;
      },
      { timeoutMs: 5000, intervalMs: 100 },
    );
    expect(read.statusReason).toBeUndefined();

    // gatehouse status, pointed at any node, shows each node's status of the listener.
    const table = await run(process.execPath, [GATEHOUSE_CLI, 'status', '--endpoint', nodes.node(3).url, '--token', nodes.node(3).token], { env: cleanEnv() });
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(/^LISTENER +PROTOCOL +ADDRESS +STATUS +LOAD BALANCER +NODES +REASON$/);
    expect(row).toContain(created.body.id);
    expect(row).toMatch(/ Running /);
    for (const n of nodes.all) expect(row).toContain(`${n.name}=Running`);
  });

  it('PUTs with the same If-Match through nodes 2, 3 and 4 at once: exactly one 200 and two 412, ten rounds over', async () => {
    const nodes = await scenarios.nodes();
    const sg = await nodes.node(2).create('server-groups', { name: 'contended' });
    const wins: string[] = [];
    for (let round = 1; round <= 10; round++) {
      const current = await nodes.node(2 + (round % 3)).call('GET', `/v1/server-groups/${sg.id}`);
      const version = current.body.version as number;
      expect(version).toBe(round);
      expect(current.headers.etag).toBe(`"${version}"`);
      const replies = await Promise.all(
        nodes.all.map(async (n) => ({
          node: n.name,
          ...(await n.call('PUT', `/v1/server-groups/${sg.id}`, { name: `round-${round}-${n.name}` }, { 'if-match': `"${version}"` })),
        })),
      );
      const summary = `round ${round}: ${JSON.stringify(replies.map((r) => [r.node, r.status, r.body?.code ?? r.body?.name]))}`;
      const won = replies.filter((r) => r.status === 200);
      expect(won, summary).toHaveLength(1);
      expect(replies.filter((r) => r.status === 412 && r.body.code === 'VERSION_MISMATCH'), summary).toHaveLength(2);
      const winner = won[0]!;
      wins.push(winner.node);
      expect(winner.body.name, summary).toBe(`round-${round}-${winner.node}`);
      expect(winner.body.version, summary).toBe(version + 1);
      // A read through any node catches up first: every node reads the winner's body.
      for (const n of nodes.all) {
        const final = await n.read('server-groups', sg.id);
        expect({ node: n.name, name: final.name, version: final.version }, summary).toEqual({ node: n.name, name: winner.body.name, version: version + 1 });
      }
    }
    console.log(`If-Match winners by round: ${wins.join(', ')}`);
  });

  it('an Idempotency-Key holds across nodes: the same key and body give the same resource, another body 422', async () => {
    const nodes = await scenarios.nodes();
    const key = randomUUID();
    const body = { name: 'idempotent', tags: { try: 'one' } };
    const first = await nodes.node(2).call('POST', '/v1/server-groups', body, { 'idempotency-key': key });
    expect(first.status, first.text).toBe(201);
    const again = await nodes.node(3).call('POST', '/v1/server-groups', body, { 'idempotency-key': key });
    expect(again.status, again.text).toBe(201);
    expect(again.body).toEqual(first.body);
    const reused = await nodes.node(4).call('POST', '/v1/server-groups', { ...body, tags: { try: 'two' } }, { 'idempotency-key': key });
    expect(reused.status, reused.text).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);

    // The same key sent through the three nodes at once: still one resource.
    const raced = randomUUID();
    const replies = await Promise.all(nodes.all.map((n) => n.call('POST', '/v1/server-groups', { name: 'raced' }, { 'idempotency-key': raced })));
    const summary = JSON.stringify(replies.map((r) => [r.status, r.body?.id ?? r.body?.code]));
    expect(replies.map((r) => r.status), summary).toEqual([201, 201, 201]);
    expect(new Set(replies.map((r) => r.body.id)).size, summary).toBe(1);

    for (const n of nodes.all) {
      const items = await n.list('server-groups');
      expect({ node: n.name, ids: items.map((i) => i.id).sort() }).toEqual({ node: n.name, ids: [first.body.id, replies[0]!.body.id].sort() });
    }
  });

  it('a port taken through node 2 is refused through node 3 with 409 PORT_CONFLICT, and one of three racing creates wins', async () => {
    const nodes = await scenarios.nodes();
    const backend = await scenarios.backend('backend-b');
    const taken = await serve(nodes.node(2), backend, await listenerPort(nodes));
    const second = await nodes.node(3).call('POST', '/v1/listeners', {
      loadBalancerId: taken.loadBalancer.id,
      protocol: 'HTTP',
      port: taken.port,
      defaultServerGroupId: taken.serverGroup.id,
    });
    expect(second.status, second.text).toBe(409);
    expect(second.body.code).toBe('PORT_CONFLICT');

    const port = await listenerPort(nodes);
    const replies = await Promise.all(
      nodes.all.map((n) =>
        n.call('POST', '/v1/listeners', { loadBalancerId: taken.loadBalancer.id, protocol: 'HTTP', port, defaultServerGroupId: taken.serverGroup.id }),
      ),
    );
    const summary = JSON.stringify(replies.map((r) => [r.status, r.body?.id ?? r.body?.code]));
    expect(replies.filter((r) => r.status === 201), summary).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409 && r.body.code === 'PORT_CONFLICT'), summary).toHaveLength(2);
    for (const n of nodes.all) expect((await n.list('listeners')).map((l) => l.port).sort()).toEqual([taken.port, port].sort());
  });

  it('a node given another master key refuses to start, naming the mismatch, and leaves the store to the others', async () => {
    const nodes = await scenarios.nodes({ indices: [2] });
    const stranger = await ClusterNode.prepare(5, { store: nodes.store, secrets: { ...nodes.secrets, masterKey: newSecrets().masterKey } });
    scenarios.onCleanUp(() => stranger.dispose());
    const ended = await stranger.runToExit(20_000);
    expect(ended.killed, ended.stderr).toBe(false);
    expect(ended.code, ended.stderr).not.toBe(0);
    expect(ended.code, ended.stderr).not.toBeNull();
    expect(ended.stderr).toMatch(/master key \(GATEHOUSE_MASTER_KEY\) does not match the configuration store/);
    expect(ended.stdout).not.toMatch(/listening on/);
    expect((await nodes.node(2).cluster()).nodes.map((n: any) => n.name)).toEqual(['node-2']);

    // The store still opens with the key it was made with.
    const rightful = await ClusterNode.prepare(3, { store: nodes.store, secrets: nodes.secrets });
    scenarios.onCleanUp(() => rightful.dispose());
    await rightful.start();
    await eventually(async () => expect((await rightful.cluster()).nodes.map((n: any) => n.name).sort()).toEqual(['node-2', 'node-3']), 5000);
  });
});
