/**
 * OverviewPage lists the load balancers, listeners, certificates and server groups, read-only,
 * and reads them again every few seconds, so a listener's status changes on the page without a
 * reload. A refused token ends the session; any other failure keeps the last data on screen
 * with the API's error above it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, readOverview, type Overview } from './api.ts';
import { ProblemMessage } from './problem-message.tsx';

/** POLL_MS is how often the overview is read again. */
export const POLL_MS = 3000;

/** OverviewPageProps: the token to read with, and what to do when the API no longer accepts it. */
export interface OverviewPageProps {
  token: string;
  onUnauthenticated: (error: ApiError) => void;
}

/** OverviewPage is the signed-in landing page. */
export function OverviewPage({ token, onUnauthenticated }: OverviewPageProps) {
  const [data, setData] = useState<Overview | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const round = async () => {
      try {
        setData(await readOverview(token, abort.signal));
        setError(undefined);
      } catch (err) {
        if (abort.signal.aborted) return;
        const problem = err instanceof ApiError ? err : new ApiError(0, 'API_UNREACHABLE', String(err));
        if (problem.status === 401) return onUnauthenticated(problem);
        setError(problem);
      }
      if (!abort.signal.aborted) timer = setTimeout(() => void round(), POLL_MS);
    };
    void round();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [token]);

  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <p class="hint" aria-live="polite">
          {data ? `Updated ${data.readAt.toLocaleTimeString()}; refreshed every ${POLL_MS / 1000} s.` : 'Loading…'}
        </p>
      </div>
      {error && <ProblemMessage error={error} />}
      {data && <OverviewTables data={data} />}
    </>
  );
}

function OverviewTables({ data }: { data: Overview }) {
  const lbNames = new Map(data.loadBalancers.map((lb) => [lb.id, lb.name]));
  const groupNames = new Map(data.serverGroups.map((g) => [g.id, g.name]));
  return (
    <>
      <Section id="load-balancers" title="Load balancers" count={data.loadBalancers.length}>
        <Table head={['Name', 'ID', 'Edition', 'Status']}>
          {data.loadBalancers.map((lb) => (
            <tr key={lb.id}>
              <td>{lb.name}</td>
              <td class="id">{lb.id}</td>
              <td>{lb.edition}</td>
              <td>{lb.status}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="listeners" title="Listeners" count={data.listeners.length}>
        <Table head={['ID', 'Description', 'Protocol', 'Port', 'Status', 'Load balancer', 'Server group']}>
          {data.listeners.map((l) => (
            <tr key={l.id} data-id={l.id}>
              <td class="id">{l.id}</td>
              <td class="description">{l.description ?? ''}</td>
              <td>{l.protocol}</td>
              <td class="num">{l.port}</td>
              <td class="status-cell">
                <span class={`status status-${l.status.toLowerCase()}`}>{l.status}</span>
                {l.statusReason ? <div class="sub reason">{l.statusReason}</div> : null}
              </td>
              <td>{lbNames.get(l.loadBalancerId) ?? l.loadBalancerId}</td>
              <td>{groupNames.get(l.defaultServerGroupId) ?? l.defaultServerGroupId}</td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="certificates" title="Certificates" count={data.certificates.length}>
        <Table head={['Name', 'ID', 'Subject', 'Names (SANs)', 'Expires']}>
          {data.certificates.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td class="id">{c.id}</td>
              <td>{c.subjectDn || c.commonName}</td>
              <td>{c.domains.join(', ')}</td>
              <td>
                <Expiry notAfter={c.notAfter} now={data.readAt} />
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section id="server-groups" title="Server groups" count={data.serverGroups.length}>
        <Table head={['Name', 'ID', 'Protocol', 'Servers']}>
          {data.serverGroups.map((g) => (
            <tr key={g.id}>
              <td>{g.name}</td>
              <td class="id">{g.id}</td>
              <td>{g.protocol}</td>
              <td>
                <ul class="servers">
                  {g.servers.map((s) => (
                    <li key={`${s.address}:${s.port}`}>
                      {s.address}:{s.port} <span class="sub">weight {s.weight}</span>
                      {s.description ? <span class="sub"> · {s.description}</span> : null}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </Table>
      </Section>
    </>
  );
}

/** daysLeft counts whole days from now until notAfter (negative once expired). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / 86_400_000);
}

function Expiry({ notAfter, now }: { notAfter: string; now: Date }) {
  const days = daysLeft(notAfter, now);
  const date = new Date(notAfter).toISOString().slice(0, 10);
  const text = days < 0 ? `expired ${-days} days ago` : days === 1 ? '1 day left' : `${days} days left`;
  return (
    <span class={days < 0 ? 'expiry expired' : days < 30 ? 'expiry soon' : 'expiry'}>
      <time dateTime={notAfter}>{date}</time> <span class="sub">({text})</span>
    </span>
  );
}

function Section(props: { id: string; title: string; count: number; children: preact.ComponentChildren }) {
  return (
    <section class="card" id={props.id} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>
        {props.title} <span class="count">({props.count})</span>
      </h2>
      {props.count === 0 ? <p class="empty">None yet.</p> : props.children}
    </section>
  );
}

function Table(props: { head: string[]; children: preact.ComponentChildren }) {
  // A wide table scrolls inside its own box on a narrow screen; the box takes focus so the keyboard can scroll it.
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="table, scrolls sideways">
      <table>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
