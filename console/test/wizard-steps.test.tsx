/** The wizard's steps: HTTPS has four, HTTP skips the certificates; Next is refused while the step has problems; Back keeps values. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeBody, shownOnStep, stepOf, stepsFor, withoutHttpsOnly } from '../src/wizard/steps.ts';
import { ListenerWizard } from '../src/wizard/listener-wizard.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('step logic', () => {
  it('has four steps for HTTPS and three for HTTP', () => {
    expect(stepsFor('HTTPS')).toEqual(['configure', 'certificates', 'server-group', 'review']);
    expect(stepsFor('HTTP')).toEqual(['configure', 'server-group', 'review']);
    expect(stepOf('forwardedHeaders.clientIp.trustedProxies[0]')).toBe('configure');
    expect(stepOf('certificates.defaultCertificateId')).toBe('certificates');
    expect(stepOf('defaultServerGroupId')).toBe('server-group');
  });

  it('probes the live rules of the steps reached, standing in for references chosen later', () => {
    const steps = stepsFor('HTTPS');
    const probe = probeBody({ loadBalancerId: 'alb-1', protocol: 'HTTPS', port: 443 }, steps, 'configure');
    expect(probe).toMatchObject({ defaultServerGroupId: 'not-chosen-yet', certificates: { defaultCertificateId: 'not-chosen-yet' } });
    expect(probeBody({ loadBalancerId: 'alb-1', protocol: 'HTTPS', port: 0 }, steps, 'configure')).toBeUndefined();
    expect(shownOnStep({ path: 'port', code: 'PORT_CONFLICT', message: '' }, steps, 'configure')).toBe(true);
    expect(shownOnStep({ path: 'defaultServerGroupId', code: 'REFERENCE_NOT_FOUND', message: '' }, steps, 'configure')).toBe(false);
  });

  it('drops the HTTPS-only fields from an HTTP listener', () => {
    const body = withoutHttpsOnly({ protocol: 'HTTP', http2Enabled: true, tlsPolicyId: 'x', forwardedHeaders: { slbId: true, clientCertIssuerDn: { enabled: true } } });
    expect(body).toEqual({ protocol: 'HTTP', forwardedHeaders: { slbId: true } });
  });
});

describe('ListenerWizard', () => {
  it('marks the current step, refuses Next with problems, and Back keeps the values', async () => {
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(answer(200, url.includes('dryRun') ? { valid: true } : { items: [] }))));
    render(<ListenerWizard token="t" loadBalancerId="alb-1" />);
    const current = () => document.querySelector('[aria-current="step"]')?.textContent;
    expect(current()).toBe('1. Configure Listener');
    expect(screen.getAllByRole('listitem').map((l) => l.textContent)).toEqual(['1. Configure Listener', '2. SSL Certificates', '3. Server Group', '4. Review']);
    // No port: Next is refused and the port says why.
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const port = screen.getByLabelText<HTMLInputElement>(/^Listener Port/);
    await waitFor(() => expect(port.getAttribute('aria-invalid')).toBe('true'));
    expect(port.closest('.field')!.textContent).toContain('is required');
    expect(current()).toBe('1. Configure Listener');
    // Advanced settings are folded behind "Modify" and hold the seed's labels.
    expect(screen.getByText('Modify').closest('details')!.open).toBe(false);
    expect(screen.getByLabelText(/^Idle Connection Timeout Period/)).toBeTruthy();
    fireEvent.input(port, { target: { value: '443' } });
    fireEvent.input(screen.getByLabelText(/^Listener Name/), { target: { value: 'web front' } });
    await waitFor(() => expect(port.getAttribute('aria-invalid')).toBeNull());
    await waitFor(() => expect(screen.queryByText('Checking with the API…')).toBeNull(), { timeout: 3000 });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(current()).toBe('2. SSL Certificates'));
    expect(screen.getByRole('button', { name: 'Upload a certificate' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create a TLS policy' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await waitFor(() => expect(current()).toBe('1. Configure Listener'));
    expect(screen.getByLabelText<HTMLInputElement>(/^Listener Port/).value).toBe('443');
    expect(screen.getByLabelText<HTMLInputElement>(/^Listener Name/).value).toBe('web front');
    // HTTP skips the certificates.
    fireEvent.change(screen.getByLabelText(/^Listener Protocol/), { target: { value: 'HTTP' } });
    await waitFor(() => expect(screen.getAllByRole('listitem').map((l) => l.textContent)).toEqual(['1. Configure Listener', '2. Server Group', '3. Review']));
    expect(screen.queryByLabelText(/^Enable HTTP\/2/)).toBeNull();
  });
});
