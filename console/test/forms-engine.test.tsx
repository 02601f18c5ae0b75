/** The form engine: fields come from the schemas; problems show at their field; the dry run's PORT_CONFLICT shows on the port. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESOURCE_KINDS } from '../../schema/kinds.ts';
import { ResourceEditor } from '../src/forms/resource-editor.tsx';
import { findField, formFields } from '../src/forms/schema-fields.ts';
import { ListenerWizard } from '../src/wizard/listener-wizard.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });
}

const LB = { id: 'alb-1', name: 'edge', edition: 'Standard', address: '127.0.0.1' };

describe('fields derived from the schema', () => {
  it('reads bounds, defaults, choices and help from the listener schema', () => {
    const specs = formFields(RESOURCE_KINDS.Listener);
    const port = findField(specs, 'port')!;
    expect(port.control).toBe('number');
    expect([port.minimum, port.maximum, port.required]).toEqual([1, 65535, true]);
    expect(port.label).toBe('Listener Port');
    const idle = findField(specs, 'idleTimeout')!;
    expect([idle.minimum, idle.maximum, idle.default]).toEqual([1, 600, 15]);
    expect(idle.presentation.advanced).toBe(true);
    expect(findField(specs, 'protocol')!.options).toEqual(['HTTP', 'HTTPS']);
    expect(findField(specs, 'protocol')!.facts.replaces).toBe(true);
    expect(findField(specs, 'http2Enabled')!.facts.httpsDefault).toBe(true);
    expect(findField(specs, 'forwardedHeaders.clientIp.trustedProxies')!.control).toBe('string-list');
    expect(findField(specs, 'certificates.defaultCertificateId')!.control).toBe('reference');
    expect(findField(specs, 'underscoreHeadersEnabled')!.help).toContain('X_Forwarded_For');
    // Outputs are never edited.
    expect(findField(specs, 'status')).toBeUndefined();
    expect(findField(specs, 'id')).toBeUndefined();
    const group = formFields(RESOURCE_KINDS.ServerGroup);
    expect(findField(group, 'servers')!.control).toBe('object-list');
    expect(findField(group, 'servers[].weight')!.default).toBe(100);
    const policy = formFields(RESOURCE_KINDS.TlsSecurityPolicy);
    expect(findField(policy, 'tlsVersions')!.options).toEqual(['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    expect(findField(policy, 'ciphers')!.options.length).toBeGreaterThan(20);
  });

  it('renders labelled controls with their bounds, defaults and help linked by aria-describedby', () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(answer(200, { items: [] }))));
    render(<ResourceEditor kind={RESOURCE_KINDS.ServerGroup} token="t" idPrefix="t" onSaved={() => {}} />);
    const name = screen.getByLabelText(/^Name/);
    const help = document.getElementById(name.getAttribute('aria-describedby')!.split(' ')[0]!);
    expect(help?.textContent).toContain('2–128 characters');
    fireEvent.click(screen.getByRole('button', { name: 'Add server' }));
    const weight = screen.getByLabelText<HTMLInputElement>('Weight');
    expect(weight.min).toBe('0');
    expect(weight.max).toBe('100');
    expect(weight.placeholder).toBe('100');
    expect(screen.getByLabelText<HTMLSelectElement>('Scheduler').value).toBe('Wrr');
  });

  it('shows a problem next to its field as the user types, with the API message', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(answer(200, { items: [] }))));
    render(<ResourceEditor kind={RESOURCE_KINDS.LoadBalancer} token="t" idPrefix="lb" onSaved={() => {}} />);
    const address = screen.getByLabelText(/^Address/);
    fireEvent.input(address, { target: { value: 'not-an-ip' } });
    await waitFor(() => expect(address.getAttribute('aria-invalid')).toBe('true'));
    const ids = address.getAttribute('aria-describedby')!.split(' ');
    const problems = document.getElementById(ids[ids.length - 1]!);
    expect(problems?.textContent).toContain('VALIDATION_FAILED');
    expect(problems?.textContent).toContain('must be an IPv4 or IPv6 address literal');
    // The name's problem is not shown before the name is touched.
    expect(screen.getByLabelText(/^Name/).getAttribute('aria-invalid')).toBeNull();
  });

  it('shows the dry run PORT_CONFLICT on the Port field before Submit', async () => {
    const fetchMock = vi.fn((url: string, init: RequestInit) => {
      if (url.includes('dryRun=true')) {
        const body = JSON.parse(init.body as string) as { port?: number };
        if (body.port === 8443) {
          return Promise.resolve(
            answer(409, { status: 409, code: 'PORT_CONFLICT', title: 'Conflict', detail: 'port', errors: [{ path: 'port', message: 'tcp port 8443 is held by listener lsn-x', code: 'PORT_CONFLICT' }, { path: 'defaultServerGroupId', message: 'server group not-chosen-yet does not exist', code: 'REFERENCE_NOT_FOUND' }] }),
          );
        }
        return Promise.resolve(answer(200, { valid: true }));
      }
      if (url.startsWith('/v1/load-balancers')) return Promise.resolve(answer(200, { items: [LB] }));
      return Promise.resolve(answer(200, { items: [] }));
    });
    vi.stubGlobal('fetch', fetchMock);
    render(<ListenerWizard token="t" loadBalancerId="alb-1" />);
    const port = screen.getByLabelText(/^Listener Port/);
    fireEvent.input(port, { target: { value: '8443' } });
    await waitFor(() => expect(port.getAttribute('aria-invalid')).toBe('true'), { timeout: 3000 });
    const field = port.closest('.field')!;
    expect(field.textContent).toContain('PORT_CONFLICT');
    expect(field.textContent).toContain('held by listener lsn-x');
    // The server group is not chosen yet on this step: its placeholder's refusal is not shown.
    expect(document.body.textContent).not.toContain('not-chosen-yet');
    const dry = fetchMock.mock.calls.find(([u]) => u.includes('dryRun=true'))!;
    expect(dry[0]).toBe('/v1/listeners?dryRun=true');
    expect(dry[1].method).toBe('POST');
  });
});
