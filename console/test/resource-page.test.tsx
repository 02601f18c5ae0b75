/**
 * ResourcePage: every field of the read, labelled from the kind's output schema (names and
 * descriptions, nested objects, lists, references as links); the links to edit, code and events;
 * a certificate's listeners and a server group's health; delete behind a confirmation dialog that
 * names the resource, takes the focus and closes on Escape; a refusal IN_USE with the API's
 * code, title, detail and referrers as links; a successful delete goes back to the overview.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResourcePage } from '../src/pages/resource-page.tsx';
import type { Collection } from '../src/router.ts';
import { labelOf } from '../src/views/fields.tsx';
import { CA, CERT, FakeApi, FIXED_NOW, GROUP, LISTENER, QUIC } from './resource-fixtures.ts';

let api: FakeApi;

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true, now: FIXED_NOW });
  api = new FakeApi().install();
  location.hash = '#/';
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

async function open(collection: Collection, id: string) {
  render(<ResourcePage token="test-token" onUnauthenticated={() => undefined} route={{ collection, id }} />);
  await screen.findByRole('heading', { name: 'Fields' });
}

function field(name: string, within_: ParentNode = document): HTMLElement {
  const el = within_.querySelector<HTMLElement>(`[data-field="${name}"]`);
  if (!el) throw new Error(`no field ${name}`);
  return el;
}

describe('labels', () => {
  it('come from field names', () => {
    expect(labelOf('idleTimeout')).toBe('Idle timeout');
    expect(labelOf('http2Enabled')).toBe('HTTP2 enabled');
    expect(labelOf('subjectDn')).toBe('Subject DN');
    expect(labelOf('caCertificateId')).toBe('CA certificate ID');
    expect(labelOf('TlsSecurityPolicy')).toBe('TLS security policy');
  });
});

describe('ResourcePage', () => {
  it("lays out every field of a listener from its schema, with the schema's descriptions", async () => {
    await open('listeners', LISTENER.id);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toContain(LISTENER.id);
    const idle = field('idleTimeout');
    expect(within(idle).getByText('Idle timeout')).toBeTruthy();
    expect(idle.textContent).toContain('A client connection with no request in flight is closed after this time');
    expect(idle.querySelector('dd')?.textContent).toBe('15');
    // Every top-level field the read has is on the page.
    for (const name of Object.keys(LISTENER)) expect(field(name).querySelector('dt')).toBeTruthy();
    // Nested objects are fields of their own; references link to their resources.
    const certificates = field('certificates');
    const defaultCert = field('defaultCertificateId', certificates);
    expect(within(defaultCert).getByText('Default certificate ID')).toBeTruthy();
    expect(within(defaultCert).getByRole('link', { name: CERT.id }).getAttribute('href')).toBe(`#/r/certificates/${CERT.id}`);
    expect(field('additionalCertificateIds', certificates).querySelector('dd')?.textContent).toBe('none');
    expect(within(field('mutualAuthentication')).getByRole('link', { name: CA.id }).getAttribute('href')).toBe(`#/r/certificates/${CA.id}`);
    expect(within(field('loadBalancerId')).getByRole('link').getAttribute('href')).toBe(`#/r/load-balancers/${LISTENER.loadBalancerId}`);
    expect(within(field('tlsPolicyId')).getByRole('link').getAttribute('href')).toBe('#/r/tls-policies/tls_cipher_policy_1_2');
    expect(field('tags').textContent).toContain('env');
    expect(field('http2Enabled').querySelector('dd')?.textContent).toBe('yes');
    // A field the schema has and the read lacks shows as not set.
    expect(field('statusReason').querySelector('dd')?.textContent).toBe('not set');
  });

  it('links to edit, code and events, and shows the status live', async () => {
    await open('listeners', LISTENER.id);
    const nav = screen.getByRole('navigation', { name: 'Listener actions' });
    expect(within(nav).getByRole('link', { name: 'Edit' }).getAttribute('href')).toBe(`#/r/listeners/${LISTENER.id}/edit`);
    expect(within(nav).getByRole('link', { name: 'Show as code' }).getAttribute('href')).toBe(`#/code/listeners/${LISTENER.id}`);
    expect(within(nav).getByRole('link', { name: 'Events' }).getAttribute('href')).toBe(`#/events?resourceId=${LISTENER.id}`);
    expect(screen.getByTestId('live-status').textContent).toContain('Running');
    Object.assign(api.find('listeners', LISTENER.id), { status: 'Failed', statusReason: 'listen EADDRINUSE' });
    await vi.advanceTimersByTimeAsync(3010);
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toContain('Failed'));
    expect(screen.getByTestId('live-status').textContent).toContain('listen EADDRINUSE');
  });

  it('asks a load balancer again with If-None-Match naming its version', async () => {
    await open('load-balancers', LISTENER.loadBalancerId);
    await vi.advanceTimersByTimeAsync(3010);
    await waitFor(() => expect(api.callsTo('/v1/load-balancers/').length).toBeGreaterThan(1));
    expect(api.callsTo('/v1/load-balancers/').at(-1)!.headers['if-none-match']).toBe('"1"');
  });

  it('shows the listeners using a certificate, and a server group with its health', async () => {
    await open('certificates', CERT.id);
    const uses = await screen.findByRole('list', { name: 'Listeners using this certificate' });
    expect(within(uses).getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual([`#/r/listeners/${LISTENER.id}`, `#/r/quic-listeners/${QUIC.id}`]);
    expect(document.body.textContent).toContain('10 days left');
    cleanup();
    await open('server-groups', GROUP.id);
    const servers = await screen.findByRole('list', { name: 'Servers of web' });
    expect(servers.textContent).toContain('Healthy');
    expect(servers.textContent).toContain('Unhealthy (connection refused)');
    // A server's hostile description is text, in the servers and in the fields.
    expect(document.querySelector('main img, img')).toBeNull();
    expect(field('servers').textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('asks to confirm a delete in a dialog that names it, takes the focus and closes on Escape', async () => {
    await open('certificates', CERT.id);
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.tagName).toBe('DIALOG');
    expect(dialog.textContent).toContain(`Certificate “www-cert” (${CERT.id})`);
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.calls.some((c) => c.method === 'DELETE')).toBe(false);
  });

  it('shows an IN_USE refusal with the code, title, detail and the referrers as links', async () => {
    api.deleteAnswer = {
      status: 409,
      body: {
        status: 409,
        code: 'IN_USE',
        title: 'The resource is referenced by other resources',
        detail: `Certificate ${CERT.id} is referenced by Listener ${LISTENER.id}; delete or change those first`,
        errors: [
          { path: '', code: 'IN_USE', message: `Listener ${LISTENER.id} references it through certificates.defaultCertificateId` },
          { path: '', code: 'IN_USE', message: `QuicListener ${QUIC.id} references it through certificates.defaultCertificateId` },
        ],
      },
    };
    location.hash = `#/r/certificates/${CERT.id}`;
    await open('certificates', CERT.id);
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('IN_USE');
    expect(alert.textContent).toContain('The resource is referenced by other resources');
    expect(alert.textContent).toContain('delete or change those first');
    const referrers = screen.getByRole('list', { name: 'Resources that still use it' });
    expect(within(referrers).getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual([`#/r/listeners/${LISTENER.id}`, `#/r/quic-listeners/${QUIC.id}`]);
    expect(referrers.textContent).toContain('through certificates.defaultCertificateId');
    expect(screen.queryByRole('dialog')).toBeNull();
    // The page stays, with the certificate still on it.
    expect(location.hash).toBe(`#/r/certificates/${CERT.id}`);
    expect(api.find('certificates', CERT.id)).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Fields' })).toBeTruthy();
  });

  it('shows DELETION_PROTECTED as the API words it', async () => {
    api.deleteAnswer = { status: 409, body: { status: 409, code: 'DELETION_PROTECTED', title: 'The resource has deletion protection enabled', detail: 'set it to false first' } };
    await open('load-balancers', LISTENER.loadBalancerId);
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('DELETION_PROTECTED');
    expect(alert.textContent).toContain('set it to false first');
  });

  it('deletes after the confirmation and goes to the overview', async () => {
    location.hash = `#/r/certificates/${CA.id}`;
    await open('certificates', CA.id);
    fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(location.hash).toBe('#/'));
    const del = api.calls.find((c) => c.method === 'DELETE')!;
    expect(del.url).toBe(`/v1/certificates/${CA.id}`);
    expect(() => api.find('certificates', CA.id)).toThrow();
  });

  it('has no edit or delete for a system TLS policy', async () => {
    await open('tls-policies', 'tls_cipher_policy_1_2');
    expect(screen.queryByRole('button', { name: 'Delete…' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Edit' })).toBeNull();
    expect(field('ciphers').textContent).toContain('TLS_AES_128_GCM_SHA256');
  });
});
