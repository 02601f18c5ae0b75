/**
 * A listener's status across the nodes of a cluster (SPEC 1.2): Running only when every live
 * node runs the current version, Failed when any node could not (the reason names the node),
 * otherwise the state they share or Configuring while they disagree.
 */
import { describe, expect, it } from 'vitest';
import { clusterListenerStatus, mergeNodeStatuses, nodeStatus } from '../../../server/runtime/cluster-status.ts';
import type { AppliedListenerState } from '../../../server/runtime/listener-status.ts';

const running = (version: number): AppliedListenerState => ({ version, status: 'Running' });

function peer(name: string, states: Record<string, AppliedListenerState>) {
  return { name, states: new Map(Object.entries(states)) };
}

describe('nodeStatus', () => {
  it('judges a peer as the applier judges itself: never seen, older version, this version', () => {
    expect(nodeStatus(undefined, 3)).toEqual({ status: 'Provisioning' });
    expect(nodeStatus(running(2), 3)).toEqual({ status: 'Configuring' });
    expect(nodeStatus(running(3), 3)).toEqual({ status: 'Running' });
    expect(nodeStatus({ version: 3, status: 'Failed', statusReason: 'port 80 is taken' }, 3)).toEqual({ status: 'Failed', statusReason: 'port 80 is taken' });
  });
});

describe('mergeNodeStatuses', () => {
  it('is Running only when every node runs it', () => {
    expect(mergeNodeStatuses([{ node: 'a', status: 'Running' }, { node: 'b', status: 'Running' }]).status).toBe('Running');
    expect(mergeNodeStatuses([{ node: 'a', status: 'Running' }, { node: 'b', status: 'Provisioning' }]).status).toBe('Configuring');
    expect(mergeNodeStatuses([{ node: 'a', status: 'Provisioning' }, { node: 'b', status: 'Provisioning' }]).status).toBe('Provisioning');
  });

  it('is Failed when any node failed, each reason prefixed with its node', () => {
    const merged = mergeNodeStatuses([
      { node: 'a', status: 'Running' },
      { node: 'b', status: 'Failed', statusReason: 'port 8443 is taken' },
      { node: 'c', status: 'Failed', statusReason: 'no such address' },
    ]);
    expect(merged).toMatchObject({ status: 'Failed', statusReason: 'b: port 8443 is taken; c: no such address' });
    expect(merged.nodes).toHaveLength(3);
  });

  it('keeps the shared reason of a state every node is in (a QUIC listener Unavailable everywhere)', () => {
    const why = 'this runtime has no QUIC stack';
    expect(
      mergeNodeStatuses([
        { node: 'a', status: 'Unavailable', statusReason: why },
        { node: 'b', status: 'Unavailable', statusReason: why },
      ]),
    ).toMatchObject({ status: 'Unavailable', statusReason: why });
  });
});

describe('clusterListenerStatus', () => {
  it("puts this node first and judges each peer's report at the version being read", () => {
    const status = clusterListenerStatus('node-a', { status: 'Running' }, [peer('node-b', { 'lsn-1': running(4) }), peer('node-c', { 'lsn-1': running(3) })], 'lsn-1', 4);
    expect(status).toEqual({
      status: 'Configuring',
      nodes: [
        { node: 'node-a', status: 'Running' },
        { node: 'node-b', status: 'Running' },
        { node: 'node-c', status: 'Configuring' },
      ],
    });
  });

  it('a peer that has not reported the listener yet holds it at Configuring', () => {
    expect(clusterListenerStatus('a', { status: 'Running' }, [peer('b', {})], 'lsn-1', 1).status).toBe('Configuring');
  });

  it("alone (no live peer) it is this node's status, its reason not prefixed", () => {
    expect(clusterListenerStatus('a', { status: 'Running' }, [], 'lsn-1', 1)).toEqual({ status: 'Running', nodes: [{ node: 'a', status: 'Running' }] });
    expect(clusterListenerStatus('a', { status: 'Failed', statusReason: 'port 80 is taken' }, [], 'lsn-1', 1)).toMatchObject({
      status: 'Failed',
      statusReason: 'port 80 is taken',
    });
  });
});
