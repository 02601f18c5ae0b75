/**
 * DriftPage (`#/drift`): a stack export from a file or pasted text goes to `POST /v1/drift`
 * as it is; the report shows each resource in sync, missing or changed, the changed fields with
 * their stack and live values, and what was not compared. Text that is not JSON, or an export
 * over the body limit, is refused before any call; the API's refusal shows with its fields.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DriftPage } from '../src/pages/drift-page.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });
}

const EXPORT = { version: 3, deployment: { resources: [{ urn: 'urn:pulumi:dev::web::gatehouse:index:ServerGroup::web', type: 'gatehouse:index:ServerGroup', id: 'sgp-1', inputs: { name: 'web' } }] } };
const REPORT = {
  drifted: 2,
  resources: [
    {
      urn: 'u1',
      type: 'gatehouse:index:ServerGroup',
      name: 'web</td><img src=x>',
      id: 'sgp-1',
      state: 'changed',
      fields: [
        { path: 'servers[0].weight', kind: 'update', stack: 100, live: 7 },
        { path: 'tags.owner', kind: 'add', live: 'ops' },
      ],
      notCompared: [],
    },
    { urn: 'u2', type: 'gatehouse:index:Certificate', name: 'www', id: 'cert-1', state: 'in-sync', fields: [], notCompared: [{ path: 'privateKeyPem', reason: 'secret and write-only: the API never returns it' }] },
    { urn: 'u3', type: 'gatehouse:index:LoadBalancer', name: 'gone', id: 'alb-1', state: 'missing', fields: [], notCompared: [] },
  ],
};

function page(onUnauthenticated = vi.fn()) {
  return render(<DriftPage token="t0k" onUnauthenticated={onUnauthenticated} />);
}

function paste(text: string): void {
  fireEvent.input(screen.getByLabelText('Or paste the stack export'), { target: { value: text } });
  fireEvent.click(screen.getByRole('button', { name: 'Compare' }));
}

describe('DriftPage', () => {
  it('sends the pasted export to POST /v1/drift and shows each verdict with stack and live values', async () => {
    const fetchMock = vi.fn((_url: string, _init: RequestInit) => Promise.resolve(json(200, REPORT)));
    vi.stubGlobal('fetch', fetchMock);
    page();
    paste(JSON.stringify(EXPORT));
    const status = await screen.findByText(/Drift: 2 of 3 resources differ/);
    expect(status.textContent).toContain('pasted text');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/v1/drift');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual(EXPORT);
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer t0k');

    const items = screen.getAllByRole('listitem').filter((li) => li.classList.contains('drift-resource'));
    expect(items).toHaveLength(3);
    const changed = items[0]!;
    expect(changed.textContent).toContain('Changed');
    expect(changed.textContent).toContain('web</td><img src=x>');
    expect(document.querySelector('img')).toBeNull();
    const rows = within(changed).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([
      ['servers[0].weight', 'changed outside Pulumi', '100', '7'],
      ['tags.owner', 'set outside Pulumi', '(absent)', '"ops"'],
    ]);
    expect(items[1]!.textContent).toContain('In sync');
    expect(items[1]!.textContent).toContain('Not compared: privateKeyPem — secret and write-only: the API never returns it');
    expect(items[2]!.textContent).toContain('Missing');
    expect(items[2]!.textContent).toContain('It no longer exists in Gatehouse.');
  });

  it('reads a chosen file in the browser and compares it', async () => {
    const fetchMock = vi.fn((_url: string, _init: RequestInit) => Promise.resolve(json(200, { drifted: 0, resources: [REPORT.resources[1]] })));
    vi.stubGlobal('fetch', fetchMock);
    page();
    const input = screen.getByLabelText<HTMLInputElement>('Stack export file');
    const file = new File([JSON.stringify(EXPORT)], 'dev.json', { type: 'application/json' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    fireEvent.change(input);
    const status = await screen.findByText(/No drift: 1 resource match/);
    expect(status.textContent).toContain('dev.json');
    expect(JSON.parse(fetchMock.mock.calls[0]![1].body as string)).toEqual(EXPORT);
  });

  it('text that is not JSON, or an export over 1 MiB, is refused without a call', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    page();
    paste('{"deployment": ');
    expect((await screen.findByRole('alert')).textContent).toContain('The stack export is not JSON');
    paste(JSON.stringify({ deployment: { resources: [], pad: 'x'.repeat(1024 * 1024) } }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('PAYLOAD_TOO_LARGE'));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('the API refusing the body shows its code and the part at fault; a refused token signs out', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(
          json(400, {
            status: 400,
            code: 'VALIDATION_FAILED',
            title: 'The request does not satisfy the resource schema',
            detail: 'not a stack export: expected an object with "deployment"',
            errors: [{ path: 'deployment', message: 'not a stack export: expected an object with "deployment"' }],
          }),
        ),
      ),
    );
    page();
    paste('{"resources": []}');
    expect((await screen.findByRole('alert')).textContent).toContain('VALIDATION_FAILED');
    expect(screen.getByText('deployment').tagName).toBe('CODE');
    cleanup();
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(json(401, { status: 401, code: 'UNAUTHENTICATED', title: 'Missing or invalid admin token' }))));
    const signOut = vi.fn();
    page(signOut);
    paste('{"deployment": {}}');
    await waitFor(() => expect(signOut).toHaveBeenCalled());
  });
});
