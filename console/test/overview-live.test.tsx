/**
 * OverviewPage: every kind with what matters about it (TLS policies with what they offer,
 * certificates with days left and the listeners using them, server groups with each server's
 * health now), links to each resource's page and to creating; read again with If-None-Match, so a
 * 304 keeps the page as it is and a new ETag (a listener that failed) redraws it; no reading while
 * the tab is hidden.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../src/api.ts';
import { OverviewPage, POLL_MS } from '../src/overview.tsx';
import { CA, CERT, FakeApi, FIXED_NOW, GROUP, LB, LISTENER, QUIC, UNUSED } from './resource-fixtures.ts';

let api: FakeApi;

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true, now: FIXED_NOW });
  api = new FakeApi().install();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

async function shown() {
  render(<OverviewPage token="test-token" onUnauthenticated={() => undefined} />);
  await screen.findByRole('heading', { name: /Listeners/ });
  await waitFor(() => expect(screen.getByText(/Last checked/)).toBeTruthy());
}

function row(sectionId: string, id: string): HTMLElement {
  const section = document.getElementById(sectionId);
  const r = section?.querySelector<HTMLElement>(`tr[data-id="${id}"]`);
  if (!r) throw new Error(`no row ${id} in #${sectionId}`);
  return r;
}

describe('OverviewPage', () => {
  it('shows each kind, linking every name to its page and each section to creating one', async () => {
    await shown();
    const lb = within(row('load-balancers', LB.id));
    expect(lb.getByRole('link', { name: 'edge' }).getAttribute('href')).toBe(`#/r/load-balancers/${LB.id}`);
    expect(lb.getByRole('link', { name: 'Create listener' }).getAttribute('href')).toBe(`#/listeners/new?loadBalancerId=${LB.id}`);
    expect(lb.getByRole('link', { name: 'Quick create' }).getAttribute('href')).toBe(`#/listeners/quick-create?loadBalancerId=${LB.id}`);
    expect(lb.getByRole('link', { name: 'Show as code' }).getAttribute('href')).toBe(`#/code/load-balancers/${LB.id}`);
    expect(screen.getByRole('link', { name: 'New certificate' }).getAttribute('href')).toBe('#/r/certificates/new');
    expect(screen.getByRole('link', { name: 'New QUIC listener' }).getAttribute('href')).toBe('#/r/quic-listeners/new');

    const listener = row('listeners', LISTENER.id);
    expect(listener.textContent).toContain('HTTPS');
    expect(listener.textContent).toContain('15 s / 60 s');
    expect(within(listener).getByRole('link', { name: 'www-cert' }).getAttribute('href')).toBe(`#/r/certificates/${CERT.id}`);
    expect(within(listener).getByRole('link', { name: 'web' }).getAttribute('href')).toBe(`#/r/server-groups/${GROUP.id}`);
    const quic = row('quic-listeners', QUIC.id);
    expect(quic.textContent).toContain('Unavailable');
    expect(quic.textContent).toContain('no QUIC stack in this runtime');
  });

  it('shows certificates with days left and which listeners use each, and how', async () => {
    await shown();
    const cert = row('certificates', CERT.id);
    expect(cert.textContent).toContain('10 days left');
    expect(cert.textContent).toContain('www.example.com, example.com');
    const uses = within(cert).getByRole('list', { name: 'Listeners using www-cert' });
    expect(within(uses).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      `${LISTENER.id} port 8443 default certificate`,
      `${QUIC.id} port 8443 default certificate`,
    ]);
    expect(within(uses).getAllByRole('link')[1]!.getAttribute('href')).toBe(`#/r/quic-listeners/${QUIC.id}`);
    expect(row('certificates', CA.id).textContent).toContain('client CA');
    const spare = row('certificates', UNUSED.id);
    expect(spare.textContent).toContain('expired 3 days ago');
    expect(spare.textContent).toContain('extension certificate (SNI)');
  });

  it('shows TLS policies, system and custom, with their versions and ciphers', async () => {
    await shown();
    const system = row('tls-policies', 'tls_cipher_policy_1_2');
    expect(system.textContent).toContain('system');
    expect(system.textContent).toContain('TLSv1.2, TLSv1.3');
    expect(system.textContent).toContain('TLS_AES_128_GCM_SHA256');
    expect(within(system).getByRole('list', { name: 'Listeners offering tls_cipher_policy_1_2' }).textContent).toContain(LISTENER.id);
    const custom = row('tls-policies', 'tlsp-aaaaaaaaaaaaaaaaaaaa');
    expect(custom.textContent).toContain('custom');
    expect(custom.textContent).toContain('not used');
  });

  it("shows each server's weight and health now, and a description as text", async () => {
    await shown();
    const servers = within(row('server-groups', GROUP.id)).getByRole('list', { name: 'Servers of web' });
    const [first, second] = within(servers).getAllByRole('listitem');
    expect(first!.textContent).toMatch(/10\.0\.0\.1:8080 weight 70 Healthy \(HTTP 200\)/);
    expect(second!.textContent).toContain('Unhealthy (connection refused)');
    expect(second!.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(document.querySelector('#server-groups img')).toBeNull();
  });

  it('asks again with If-None-Match: a 304 keeps the page, a new ETag redraws it', async () => {
    await shown();
    const statusCell = row('listeners', LISTENER.id).querySelector('.status')!;
    expect(statusCell.textContent).toBe('Running');
    const before = api.callsTo('/v1/listeners').length;
    await vi.advanceTimersByTimeAsync(POLL_MS + 10);
    await waitFor(() => expect(api.callsTo('/v1/listeners').length).toBeGreaterThan(before));
    const again = api.callsTo('/v1/listeners').at(-1)!;
    expect(again.headers['if-none-match']).toMatch(/^".+"$/);
    expect(again.status).toBe(304);
    // Unchanged: the very same element is still on the page (not redrawn), with the same text.
    expect(row('listeners', LISTENER.id).querySelector('.status')).toBe(statusCell);
    expect(statusCell.textContent).toBe('Running');

    Object.assign(api.find('listeners', LISTENER.id), { status: 'Failed', statusReason: 'listen EADDRINUSE 0.0.0.0:8443' });
    await vi.advanceTimersByTimeAsync(POLL_MS + 10);
    await waitFor(() => expect(row('listeners', LISTENER.id).querySelector('.status')?.textContent).toBe('Failed'));
    expect(api.callsTo('/v1/listeners').at(-1)!.status).toBe(200);
    expect(row('listeners', LISTENER.id).querySelector('.reason')?.textContent).toBe('listen EADDRINUSE 0.0.0.0:8443');
  });

  it("shows each node's status when a cluster runs several", async () => {
    Object.assign(api.find('listeners', LISTENER.id), {
      status: 'Failed',
      statusReason: 'node-b: listen EADDRINUSE',
      nodes: [
        { node: 'node-a', status: 'Running' },
        { node: 'node-b', status: 'Failed', statusReason: 'listen EADDRINUSE' },
      ],
    });
    await shown();
    const nodes = within(row('listeners', LISTENER.id)).getByRole('list', { name: 'Status on each node' });
    expect(nodes.textContent).toContain('node-a: Running');
    expect(nodes.textContent).toContain('node-b: Failed listen EADDRINUSE');
  });

  it('reads nothing while the tab is hidden, and again at once when it is shown', async () => {
    await shown();
    let hidden = true;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    try {
      document.dispatchEvent(new Event('visibilitychange'));
      await waitFor(() => expect(screen.getByText(/Paused while this tab is hidden/)).toBeTruthy());
      const before = api.calls.length;
      await vi.advanceTimersByTimeAsync(POLL_MS * 3);
      expect(api.calls.length).toBe(before);
      hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
      await waitFor(() => expect(api.calls.length).toBeGreaterThan(before));
      await waitFor(() => expect(screen.getByText(/Last checked/)).toBeTruthy());
    } finally {
      delete (document as { hidden?: boolean }).hidden;
    }
  });

  it('hands a refused token over, to sign in again', async () => {
    const unauthenticated = vi.fn((_error: ApiError) => undefined);
    render(<OverviewPage token="wrong" onUnauthenticated={unauthenticated} />);
    await waitFor(() => expect(unauthenticated).toHaveBeenCalled());
    expect(unauthenticated.mock.calls[0]![0].code).toBe('UNAUTHENTICATED');
  });
});
