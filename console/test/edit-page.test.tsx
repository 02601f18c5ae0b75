/** The edit page: prefilled from GET, replace fields disabled, secrets never prefilled, PUT with If-Match; 412 offers a reload. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EditPage } from '../src/pages/edit-page.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown, etag?: string): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json', ...(etag ? { etag } : {}) },
  });
}

const CERT = {
  id: 'cert-1',
  version: 3,
  type: 'Server',
  name: 'www-cert',
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  tags: {},
  notAfter: '2030-01-01T00:00:00Z',
  commonName: 'www.example.com',
};

describe('EditPage', () => {
  it('prefills the form, disables replace fields, never shows the key, and PUTs with If-Match', async () => {
    const fetchMock = vi.fn((url: string, init: RequestInit) => {
      if (url === '/v1/certificates/cert-1' && init.method === 'GET') return Promise.resolve(answer(200, CERT, '"3"'));
      if (url === '/v1/certificates/cert-1' && init.method === 'PUT') return Promise.resolve(answer(200, { ...CERT, version: 4, notAfter: '2031-06-01T00:00:00Z' }, '"4"'));
      if (url.includes('dryRun')) return Promise.resolve(answer(200, { valid: true }));
      if (url.startsWith('/v1/listeners')) {
        return Promise.resolve(answer(200, { items: [{ id: 'lsn-1', protocol: 'HTTPS', certificates: { defaultCertificateId: 'cert-1', additionalCertificateIds: [] } }] }));
      }
      return Promise.resolve(answer(200, { items: [] }));
    });
    vi.stubGlobal('fetch', fetchMock);
    render(<EditPage token="t" onUnauthenticated={() => {}} route={{ collection: 'certificates', id: 'cert-1' }} />);
    const name = await screen.findByLabelText<HTMLInputElement>(/^Name/);
    expect(name.value).toBe('www-cert');
    expect(screen.getByLabelText<HTMLSelectElement>(/^Type/).disabled).toBe(true);
    const key = screen.getByLabelText<HTMLTextAreaElement>(/^Private key \(PEM\)/);
    expect(key.value).toBe('');
    expect(document.body.textContent).toContain('Leave empty to keep the stored one');
    // Rotation lists the listeners that use the certificate.
    await waitFor(() => expect(document.querySelector('.usage')?.textContent).toContain('lsn-1 as default certificate'));
    fireEvent.input(name, { target: { value: 'www-cert-2026' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(document.querySelector('.not-after')?.textContent).toBe('2031-06-01T00:00:00Z'));
    const put = fetchMock.mock.calls.find(([u, i]) => u === '/v1/certificates/cert-1' && i.method === 'PUT')!;
    expect((put[1].headers as Record<string, string>)['if-match']).toBe('"3"');
    const sent = JSON.parse(put[1].body as string) as Record<string, unknown>;
    expect(sent.name).toBe('www-cert-2026');
    expect(sent).not.toHaveProperty('privateKeyPem');
    expect(sent).not.toHaveProperty('notAfter');
  });

  it('says someone else changed it on 412 VERSION_MISMATCH and offers a reload', async () => {
    let reads = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        if (url === '/v1/load-balancers/alb-1' && init.method === 'GET') {
          reads++;
          return Promise.resolve(answer(200, { id: 'alb-1', version: reads, name: `edge-${reads}`, address: '127.0.0.1', edition: 'Standard', deletionProtection: false, tags: {}, status: 'Active' }, `"${reads}"`));
        }
        if (init.method === 'PUT' && !url.includes('dryRun')) return Promise.resolve(answer(412, { status: 412, code: 'VERSION_MISMATCH', title: 'Version mismatch', detail: 'stale' }));
        return Promise.resolve(answer(200, { valid: true }));
      }),
    );
    render(<EditPage token="t" onUnauthenticated={() => {}} route={{ collection: 'load-balancers', id: 'alb-1' }} />);
    await screen.findByLabelText(/^Name/);
    expect(screen.getByLabelText<HTMLInputElement>(/^Address/).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toContain('VERSION_MISMATCH');
    fireEvent.click(screen.getByRole('button', { name: 'Reload the current version' }));
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(/^Name/).value).toBe('edge-2'));
  });
});
