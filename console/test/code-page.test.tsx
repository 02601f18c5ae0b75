/**
 * CodePage (`#/code/<collection>/<id>`): the Pulumi program of a load balancer (its listeners and
 * what they use, references as `.id`) or of one resource, the import variant behind a toggle,
 * the `pulumi import` commands, Copy buttons, names rendered as text, and the API's refusals.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodePage } from '../src/pages/code-page.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const common = { version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
const HOSTILE = 'edge</script><img src=x onerror="alert(1)">';
const LB = { ...common, id: 'alb-aaaaaaaaaaaaaaaaaaaa', name: HOSTILE, edition: 'Standard', address: '127.0.0.1', deletionProtection: false, tags: {}, status: 'Active' };
const SG = { ...common, id: 'sgp-aaaaaaaaaaaaaaaaaaaa', name: 'web', protocol: 'HTTP', scheduler: 'Wrr', servers: [{ address: '127.0.0.1', port: 3001, weight: 100 }], tags: {} };
const CERT = { ...common, id: 'cert-aaaaaaaaaaaaaaaaaaaa', name: 'www', type: 'Server', certificatePem: '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n', tags: {}, commonName: 'www', domains: ['www'], expired: false };
const LISTENER = {
  ...common,
  id: 'lsn-aaaaaaaaaaaaaaaaaaaa',
  loadBalancerId: LB.id,
  protocol: 'HTTPS',
  port: 443,
  defaultServerGroupId: SG.id,
  certificates: { defaultCertificateId: CERT.id, additionalCertificateIds: [] },
  tlsPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3',
  tags: {},
  status: 'Running',
};
const SYSTEM_POLICY = { id: 'tls_cipher_policy_1_2_strict_with_1_3', name: 'tls_cipher_policy_1_2_strict_with_1_3', system: true, tlsVersions: ['TLSv1.2', 'TLSv1.3'], ciphers: [], tags: {} };
const COLLECTIONS: Record<string, unknown[]> = {
  'load-balancers': [LB, { ...LB, id: 'alb-bbbbbbbbbbbbbbbbbbbb', name: 'other' }],
  listeners: [LISTENER],
  'quic-listeners': [],
  certificates: [CERT],
  'tls-policies': [SYSTEM_POLICY],
  'server-groups': [SG],
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });
}

/** api answers the lists and reads of COLLECTIONS, as the API would. */
function api(url: string): Response {
  const path = new URL(url, 'http://console.test').pathname;
  const [, , collection, id] = path.split('/');
  const items = COLLECTIONS[collection ?? ''];
  if (!items) return json(404, { status: 404, code: 'NOT_FOUND', title: 'Not found' });
  if (id === undefined) return json(200, { items, nextToken: null });
  const found = items.find((x) => (x as { id: string }).id === id);
  return found ? json(200, found) : json(404, { status: 404, code: 'NOT_FOUND', title: 'Resource not found', detail: `no ${collection} ${id}` });
}

/** LOADED waits for the page's own chunk (the generator and the resource models), slower on a busy machine. */
const LOADED = { timeout: 10_000 };

function renderPage(collection: 'load-balancers' | 'listeners', id: string, onUnauthenticated = vi.fn()) {
  return render(<CodePage route={{ collection, id }} token="t0k" onUnauthenticated={onUnauthenticated} />);
}

describe('CodePage', () => {
  it('shows the program of a load balancer: its listener and what it uses, references as .id, the system policy by id', async () => {
    const fetchMock = vi.fn((url: string) => Promise.resolve(api(url)));
    vi.stubGlobal('fetch', fetchMock);
    renderPage('load-balancers', LB.id);
    const code = await screen.findByTestId('program-text', {}, LOADED);
    const text = code.textContent ?? '';
    expect(text).toContain("import * as gatehouse from '@gatehouse/pulumi';");
    expect(text).toContain('const edgeScriptImgSrcXOnerrorAlert1 = new gatehouse.LoadBalancer("edge-script-img-src-x-onerror-alert-1", {');
    expect(text).toContain('const https443 = new gatehouse.Listener("https-443", {');
    expect(text).toContain('loadBalancerId: edgeScriptImgSrcXOnerrorAlert1.id,');
    expect(text).toMatch(/defaultServerGroupId: web\.id,/);
    expect(text).toMatch(/defaultCertificateId: www\.id,/);
    expect(text).toContain('tlsPolicyId: "tls_cipher_policy_1_2_strict_with_1_3"');
    expect(text).toContain('privateKeyPem: config.requireSecret("wwwPrivateKeyPem")');
    expect(text).not.toContain('other');
    expect(text).not.toContain('status:');
    // The hostile name is text in the program (escaped), never markup in the page.
    expect(document.querySelector('img')).toBeNull();
    expect(text).toContain('\\u003c/script\\u003e');
    expect(code.closest('pre')).not.toBeNull();
    for (const [url, init] of fetchMock.mock.calls as unknown as [string, RequestInit][]) {
      expect(url.startsWith('/v1/')).toBe(true);
      expect((init.headers as Record<string, string>).authorization).toBe('Bearer t0k');
    }
  });

  it('toggles to the program with import options, and lists the pulumi import commands', async () => {
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(api(url))));
    renderPage('load-balancers', LB.id);
    await screen.findByTestId('program-text', {}, LOADED);
    const plain = screen.getByRole('button', { name: 'Program' });
    const withImports = screen.getByRole('button', { name: 'Program with import options' });
    expect(plain.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('program-text').textContent).not.toContain('import: ');
    fireEvent.click(withImports);
    expect(withImports.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('program-text').textContent).toContain(`{ import: "${LISTENER.id}" }`);
    const commands = screen.getByTestId('import-commands').textContent ?? '';
    expect(commands.trimEnd().split('\n')).toEqual([
      `pulumi import gatehouse:index:LoadBalancer edge-script-img-src-x-onerror-alert-1 ${LB.id}`,
      `pulumi import gatehouse:index:Certificate www ${CERT.id}`,
      `pulumi import gatehouse:index:ServerGroup web ${SG.id}`,
      `pulumi import gatehouse:index:Listener https-443 ${LISTENER.id}`,
    ]);
  });

  it('copies the program and the commands to the clipboard', async () => {
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(api(url))));
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderPage('load-balancers', LB.id);
    const code = await screen.findByTestId('program-text', {}, LOADED);
    fireEvent.click(screen.getByRole('button', { name: 'Copy program' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(code.textContent));
    expect((await screen.findAllByText('Copied.')).length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Copy import commands' }));
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(screen.getByTestId('import-commands').textContent));
  });

  it('a single listener: only it, what it uses as literal ids', async () => {
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(api(url))));
    renderPage('listeners', LISTENER.id);
    const text = (await screen.findByTestId('program-text', {}, LOADED)).textContent ?? '';
    expect(text).toContain(`loadBalancerId: "${LB.id}",`);
    expect(text).toContain(`defaultCertificateId: "${CERT.id}",`);
    expect(text).not.toContain('new gatehouse.LoadBalancer');
  });

  it('an unknown id shows the API refusal; a refused token signs out', async () => {
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(api(url))));
    renderPage('load-balancers', 'alb-nope');
    const alert = await screen.findByRole('alert', {}, LOADED);
    expect(alert.textContent).toContain('NOT_FOUND');
    cleanup();
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(json(401, { status: 401, code: 'UNAUTHENTICATED', title: 'Missing or invalid admin token' }))));
    const signOut = vi.fn();
    renderPage('load-balancers', LB.id, signOut);
    await waitFor(() => expect(signOut).toHaveBeenCalled(), LOADED);
  });
});
