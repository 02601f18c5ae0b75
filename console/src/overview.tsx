/**
 * OverviewPage shows the whole load balancer, live: load balancers, listeners (HTTP and QUIC) with
 * their status, certificates with their expiry and the listeners that use them, TLS policies with
 * what they offer, and server groups with each server's health now. Every few seconds it asks each
 * list again with If-None-Match (an unchanged list is a body-less 304) and redraws the tables only
 * when something changed; it pauses while the tab is hidden. A refused token ends the session; any
 * other failure keeps the last data on screen with the API's error above it.
 */
import { memo } from 'preact/compat';
import { useRef, useState } from 'preact/hooks';
import type { ServerGroupHealth } from '../../schema/api/server-health.ts';
import type { CertificateOutput } from '../../schema/resources/certificate.ts';
import type { ListenerOutput } from '../../schema/resources/listener.ts';
import type { LoadBalancerOutput } from '../../schema/resources/load-balancer.ts';
import type { QuicListenerOutput } from '../../schema/resources/quic-listener.ts';
import type { ServerGroupOutput } from '../../schema/resources/server-group.ts';
import type { TlsSecurityPolicyOutput } from '../../schema/resources/tls-security-policy.ts';
import type { ApiError } from './api.ts';
import { ProblemMessage } from './problem-message.tsx';
import { href } from './router.ts';
import { Expiry } from './views/expiry.tsx';
import { readHealth, ServerList } from './views/health.tsx';
import { ListWatch, sameJson, usePolling } from './views/live.ts';
import { LiveStatus } from './views/live-status.tsx';
import { ResourceLink } from './views/resource-link.tsx';
import { Section, Table } from './views/section.tsx';
import { StatusView } from './views/status.tsx';
import { certificateUses, policyUses } from './views/usage.ts';
import { UsesList } from './views/uses.tsx';
import './views/views.css';

export { daysLeft } from './views/expiry.tsx';
export { POLL_MS } from './views/live.ts';

/** RECOUNT_MS is how long the tables may stay as drawn when nothing changes (days left are counted again). */
const RECOUNT_MS = 3_600_000;

/** OverviewData is everything the overview shows, as last read. */
export interface OverviewData {
  readonly loadBalancers: readonly LoadBalancerOutput[];
  readonly listeners: readonly ListenerOutput[];
  readonly quicListeners: readonly QuicListenerOutput[];
  readonly certificates: readonly CertificateOutput[];
  readonly tlsPolicies: readonly TlsSecurityPolicyOutput[];
  readonly serverGroups: readonly ServerGroupOutput[];
  /** Each server group's health now, by group id (absent when it could not be read). */
  readonly health: ReadonlyMap<string, ServerGroupHealth>;
  /** When the data last changed: days left count from it. */
  readonly changedAt: Date;
}

/** OverviewWatch reads the overview's lists again, each conditionally. */
class OverviewWatch {
  readonly loadBalancers = new ListWatch<LoadBalancerOutput>('/v1/load-balancers');
  readonly listeners = new ListWatch<ListenerOutput>('/v1/listeners');
  readonly quicListeners = new ListWatch<QuicListenerOutput>('/v1/quic-listeners');
  readonly certificates = new ListWatch<CertificateOutput>('/v1/certificates');
  readonly tlsPolicies = new ListWatch<TlsSecurityPolicyOutput>('/v1/tls-policies');
  readonly serverGroups = new ListWatch<ServerGroupOutput>('/v1/server-groups');
  health = new Map<string, ServerGroupHealth>();
  data: OverviewData | undefined;

  /** refresh reads everything again; a new OverviewData only when something changed. */
  async refresh(token: string, signal: AbortSignal): Promise<OverviewData> {
    const lists = [this.loadBalancers, this.listeners, this.quicListeners, this.certificates, this.tlsPolicies, this.serverGroups];
    const changed = (await Promise.all(lists.map((l: ListWatch<unknown>) => l.refresh(token, signal)))).some(Boolean);
    const health = new Map<string, ServerGroupHealth>();
    await Promise.all(
      this.serverGroups.items.map(async (g) => {
        // A group deleted since the list was read has no health to show; the next round drops it.
        const h = await readHealth(g.id, token, signal).catch((err: unknown) => {
          if (signal.aborted) throw err;
          return undefined;
        });
        if (h) health.set(g.id, h);
      }),
    );
    const healthChanged = !sameJson([...health], [...this.health]);
    if (healthChanged) this.health = health;
    // Days left count from when the data changed: after an hour without a change, count again.
    const stale = this.data !== undefined && Date.now() - this.data.changedAt.getTime() > RECOUNT_MS;
    if (this.data && !changed && !healthChanged && !stale) return this.data;
    this.data = {
      loadBalancers: this.loadBalancers.items,
      listeners: this.listeners.items,
      quicListeners: this.quicListeners.items,
      certificates: this.certificates.items,
      tlsPolicies: this.tlsPolicies.items,
      serverGroups: this.serverGroups.items,
      health: this.health,
      changedAt: new Date(),
    };
    return this.data;
  }
}

/** OverviewPageProps: the token to read with, and what to do when the API no longer accepts it. */
export interface OverviewPageProps {
  token: string;
  onUnauthenticated: (error: ApiError) => void;
}

/** OverviewPage is the signed-in landing page. */
export function OverviewPage({ token, onUnauthenticated }: OverviewPageProps) {
  const watch = useRef<OverviewWatch>(new OverviewWatch());
  const [data, setData] = useState<OverviewData | undefined>(undefined);
  const polling = usePolling(
    async (signal) => {
      setData(await watch.current.refresh(token, signal));
    },
    [token],
    onUnauthenticated,
  );
  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <LiveStatus polling={polling} />
      </div>
      {polling.error && <ProblemMessage error={polling.error} />}
      {data && <OverviewTables data={data} />}
    </>
  );
}

/** OverviewTables redraws only when the data is a new object, that is when something changed. */
const OverviewTables = memo(function OverviewTables({ data }: { data: OverviewData }) {
  const lbNames = new Map(data.loadBalancers.map((lb) => [lb.id, lb.name]));
  const groupNames = new Map(data.serverGroups.map((g) => [g.id, g.name]));
  const certNames = new Map(data.certificates.map((c) => [c.id, c.name]));
  const policyNames = new Map(data.tlsPolicies.map((p) => [p.id, p.name]));
  const lbLink = (id: string) => <ResourceLink collection="load-balancers" id={id} name={lbNames.get(id)} />;
  const groupLink = (id: string) => <ResourceLink collection="server-groups" id={id} name={groupNames.get(id)} />;
  const certLink = (id: string) => <ResourceLink collection="certificates" id={id} name={certNames.get(id)} />;
  return (
    <>
      <Section id="load-balancers" title="Load balancers" count={data.loadBalancers.length} newLink={{ collection: 'load-balancers', label: 'New load balancer' }}>
        <Table head={['Name', 'ID', 'Edition', 'Status', 'Address', 'Listeners', 'Actions']}>
          {data.loadBalancers.map((lb) => (
            <tr key={lb.id} data-id={lb.id}>
              <td>
                <ResourceLink collection="load-balancers" id={lb.id} name={lb.name} />
              </td>
              <td class="id">{lb.id}</td>
              <td>{lb.edition}</td>
              <td>{lb.status}</td>
              <td>{lb.address}</td>
              <td class="num">{data.listeners.filter((l) => l.loadBalancerId === lb.id).length + data.quicListeners.filter((q) => q.loadBalancerId === lb.id).length}</td>
              <td>
                <ul class="actions" aria-label={`Actions for ${lb.name}`}>
                  <li>
                    <a href={href({ page: 'create-listener', loadBalancerId: lb.id })}>Create listener</a>
                  </li>
                  <li>
                    <a href={href({ page: 'quick-create', loadBalancerId: lb.id })}>Quick create</a>
                  </li>
                  <li>
                    <a href={href({ page: 'code', collection: 'load-balancers', id: lb.id })}>Show as code</a>
                  </li>
                </ul>
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="listeners" title="Listeners" count={data.listeners.length} newLink={{ collection: 'listeners', label: 'New listener' }}>
        <Table head={['ID', 'Description', 'Protocol', 'Port', 'Status', 'Load balancer', 'HTTP/2', 'Timeouts (idle / request)', 'Certificate', 'TLS policy', 'Server group']}>
          {data.listeners.map((l) => (
            <tr key={l.id} data-id={l.id}>
              <td>
                <ResourceLink collection="listeners" id={l.id} />
              </td>
              <td class="description">{l.description ?? ''}</td>
              <td>{l.protocol}</td>
              <td class="num">{l.port}</td>
              <td class="status-cell">
                <StatusView status={l.status} statusReason={l.statusReason} nodes={l.nodes} />
              </td>
              <td>{lbLink(l.loadBalancerId)}</td>
              <td>{l.protocol === 'HTTPS' ? (l.http2Enabled ? 'on' : 'off') : '—'}</td>
              <td class="num">
                {l.idleTimeout} s / {l.requestTimeout} s
              </td>
              <td>
                {l.certificates ? (
                  <>
                    {certLink(l.certificates.defaultCertificateId)}
                    {l.certificates.additionalCertificateIds.length > 0 && <span class="sub"> +{l.certificates.additionalCertificateIds.length} by SNI</span>}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>{l.tlsPolicyId ? <ResourceLink collection="tls-policies" id={l.tlsPolicyId} name={policyNames.get(l.tlsPolicyId)} /> : '—'}</td>
              <td>{groupLink(l.defaultServerGroupId)}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="quic-listeners" title="QUIC listeners" count={data.quicListeners.length} newLink={{ collection: 'quic-listeners', label: 'New QUIC listener' }}>
        <Table head={['ID', 'Description', 'UDP port', 'Status', 'Load balancer', 'Timeouts (idle / request)', 'Certificate', 'Server group']}>
          {data.quicListeners.map((q) => (
            <tr key={q.id} data-id={q.id}>
              <td>
                <ResourceLink collection="quic-listeners" id={q.id} />
              </td>
              <td class="description">{q.description ?? ''}</td>
              <td class="num">{q.port}</td>
              <td class="status-cell">
                <StatusView status={q.status} statusReason={q.statusReason} nodes={q.nodes} />
              </td>
              <td>{lbLink(q.loadBalancerId)}</td>
              <td class="num">
                {q.idleTimeout} s / {q.requestTimeout} s
              </td>
              <td>{certLink(q.certificates.defaultCertificateId)}</td>
              <td>{groupLink(q.defaultServerGroupId)}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="certificates" title="Certificates" count={data.certificates.length} newLink={{ collection: 'certificates', label: 'New certificate' }}>
        <Table head={['Name', 'ID', 'Type', 'Subject', 'Names (SANs)', 'Expires', 'Used by']}>
          {data.certificates.map((c) => (
            <tr key={c.id} data-id={c.id}>
              <td>
                <ResourceLink collection="certificates" id={c.id} name={c.name} />
              </td>
              <td class="id">{c.id}</td>
              <td>{c.type}</td>
              <td>{c.subjectDn || c.commonName}</td>
              <td>{c.domains.join(', ')}</td>
              <td>
                <Expiry notAfter={c.notAfter} now={data.changedAt} />
              </td>
              <td class="used-by">
                <UsesList uses={certificateUses(c.id, data.listeners, data.quicListeners)} label={`Listeners using ${c.name}`} />
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="tls-policies" title="TLS policies" count={data.tlsPolicies.length} newLink={{ collection: 'tls-policies', label: 'New TLS policy' }}>
        <Table head={['Name', 'ID', 'Kind', 'TLS versions', 'Ciphers', 'Used by']}>
          {data.tlsPolicies.map((p) => (
            <tr key={p.id} data-id={p.id}>
              <td>
                <ResourceLink collection="tls-policies" id={p.id} name={p.name} />
              </td>
              <td class="id">{p.id}</td>
              <td>{p.system ? 'system' : 'custom'}</td>
              <td>{p.tlsVersions.join(', ')}</td>
              <td>
                <details>
                  <summary>{p.ciphers.length === 1 ? '1 cipher' : `${p.ciphers.length} ciphers`}</summary>
                  <ul class="ciphers">
                    {p.ciphers.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </details>
              </td>
              <td class="used-by">
                <UsesList uses={policyUses(p.id, data.listeners)} label={`Listeners offering ${p.name}`} />
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="server-groups" title="Server groups" count={data.serverGroups.length} newLink={{ collection: 'server-groups', label: 'New server group' }}>
        <Table head={['Name', 'ID', 'Protocol', 'Servers (weight, health now)']}>
          {data.serverGroups.map((g) => (
            <tr key={g.id} data-id={g.id}>
              <td>
                <ResourceLink collection="server-groups" id={g.id} name={g.name} />
              </td>
              <td class="id">{g.id}</td>
              <td>{g.protocol}</td>
              <td>
                <ServerList group={g} health={data.health.get(g.id)} />
              </td>
            </tr>
          ))}
        </Table>
      </Section>
    </>
  );
});
