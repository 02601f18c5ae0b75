/** The Quick Create dialog: a modal with the seed's fields; Escape goes back to the overview; OK creates the listener. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuickCreatePage } from '../src/pages/quick-create-page.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  location.hash = '';
});

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const LISTS: Record<string, unknown[]> = {
  'load-balancers': [{ id: 'alb-1', name: 'edge' }],
  certificates: [{ id: 'cert-1', name: 'www', type: 'Server' }, { id: 'cert-ca', name: 'ca', type: 'CA' }],
  'tls-policies': [{ id: 'tls_cipher_policy_1_2', name: 'tls_cipher_policy_1_2', system: true }],
  'server-groups': [{ id: 'sgp-1', name: 'web', servers: [] }],
};

function stub() {
  const fetchMock = vi.fn((url: string, init: RequestInit) => {
    if (init.method === 'POST' && !url.includes('dryRun')) return Promise.resolve(answer(201, { id: 'lsn-new', ...(JSON.parse(init.body as string) as object) }));
    if (url.includes('dryRun')) return Promise.resolve(answer(200, { valid: true }));
    const collection = url.split('/')[2]!.split('?')[0]!;
    return Promise.resolve(answer(200, { items: LISTS[collection] ?? [] }));
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('QuickCreatePage', () => {
  it('is a dialog with protocol, port, server certificate, TLS policy and server group', async () => {
    stub();
    render(<QuickCreatePage token="t" onUnauthenticated={() => {}} route={{ loadBalancerId: 'alb-1' }} />);
    const dialog = screen.getByRole('dialog', { hidden: true });
    expect(dialog.tagName).toBe('DIALOG');
    for (const label of [/^Listener Protocol/, /^Listener Port/, /^Server Certificate/, /^TLS Security Policy/, /^Server Group/]) expect(screen.getByLabelText(label)).toBeTruthy();
    // Only Server certificates are offered as the server certificate.
    await waitFor(() => expect(screen.getByLabelText(/^Server Certificate/).querySelectorAll('option').length).toBe(2));
    expect(screen.getByRole('button', { name: 'Create a server group', hidden: true })).toBeTruthy();
  });

  it('closes back to the overview on Escape (cancel)', () => {
    stub();
    location.hash = '#/listeners/quick-create';
    render(<QuickCreatePage token="t" onUnauthenticated={() => {}} route={{}} />);
    fireEvent(screen.getByRole('dialog', { hidden: true }), new Event('cancel', { cancelable: true }));
    expect(location.hash).toBe('#/');
  });

  it('creates the listener with OK and shows it', async () => {
    const fetchMock = stub();
    render(<QuickCreatePage token="t" onUnauthenticated={() => {}} route={{ loadBalancerId: 'alb-1' }} />);
    await waitFor(() => expect(screen.getByLabelText(/^Server Group/).querySelectorAll('option').length).toBe(2));
    fireEvent.input(screen.getByLabelText(/^Listener Port/), { target: { value: '8443' } });
    fireEvent.change(screen.getByLabelText(/^Server Certificate/), { target: { value: 'cert-1' } });
    fireEvent.change(screen.getByLabelText(/^Server Group/), { target: { value: 'sgp-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'OK', hidden: true }));
    await waitFor(() => expect(location.hash).toBe('#/r/listeners/lsn-new'));
    const post = fetchMock.mock.calls.find(([u, i]) => u === '/v1/listeners' && i.method === 'POST')!;
    expect(JSON.parse(post[1].body as string)).toEqual({
      loadBalancerId: 'alb-1',
      protocol: 'HTTPS',
      port: 8443,
      certificates: { defaultCertificateId: 'cert-1' },
      defaultServerGroupId: 'sgp-1',
    });
  });
});
