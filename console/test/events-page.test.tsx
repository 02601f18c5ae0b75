/**
 * EventsPage: the audit log newest first with who, what and when (time, action, kind, the
 * resource linked, version, source address); a filter by resource id (from the address too) and
 * by kind; new events appear by asking with `since` the last seq held.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventsPage } from '../src/pages/events-page.tsx';
import { CERT, FakeApi, FIXED_NOW, GROUP, LISTENER, QUIC } from './resource-fixtures.ts';

let api: FakeApi;

function event(seq: number, action: string, kind: string, resourceId: string, version = 1) {
  return { seq, time: new Date(FIXED_NOW.getTime() + seq * 1000).toISOString(), action, kind, resourceId, version, sourceAddress: '127.0.0.1', revision: seq };
}

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true, now: FIXED_NOW });
  api = new FakeApi().install();
  api.events = [
    event(1, 'create', 'ServerGroup', GROUP.id),
    event(2, 'create', 'Certificate', CERT.id),
    event(3, 'create', 'Listener', LISTENER.id),
    event(4, 'create', 'QuicListener', QUIC.id),
    event(5, 'update', 'Listener', LISTENER.id, 2),
  ];
  location.hash = '#/events';
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function rows(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('tbody tr')];
}

describe('EventsPage', () => {
  it('lists the changes newest first, each resource linked to its page', async () => {
    render(<EventsPage token="test-token" onUnauthenticated={() => undefined} route={{}} />);
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(rows().map((r) => r.dataset.seq)).toEqual(['5', '4', '3', '2', '1']);
    const [latest] = rows();
    expect(latest!.textContent).toContain('update');
    expect(latest!.textContent).toContain('Listener');
    expect(latest!.textContent).toContain('127.0.0.1');
    expect(within(latest!).getByRole('link', { name: LISTENER.id }).getAttribute('href')).toBe(`#/r/listeners/${LISTENER.id}`);
    expect(within(rows()[1]!).getByRole('link', { name: QUIC.id }).getAttribute('href')).toBe(`#/r/quic-listeners/${QUIC.id}`);
    expect(latest!.querySelector('time')?.getAttribute('datetime')).toBe(api.events[4]!.time);
  });

  it('filters by resource id (starting from the address) and by kind', async () => {
    render(<EventsPage token="test-token" onUnauthenticated={() => undefined} route={{ resourceId: LISTENER.id }} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByLabelText<HTMLInputElement>('Resource ID').value).toBe(LISTENER.id);
    fireEvent.input(screen.getByLabelText('Resource ID'), { target: { value: 'cert-' } });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]!.textContent).toContain(CERT.id);
    expect(location.hash).toBe('#/events?resourceId=cert-');
    fireEvent.input(screen.getByLabelText('Resource ID'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'Listener' } });
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().every((r) => r.textContent?.includes(LISTENER.id))).toBe(true);
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'LoadBalancer' } });
    await screen.findByText('No event matches the filter.');
  });

  it('shows new events as they come, asking only for those after the last', async () => {
    render(<EventsPage token="test-token" onUnauthenticated={() => undefined} route={{}} />);
    await waitFor(() => expect(rows()).toHaveLength(5));
    api.events.push(event(6, 'delete', 'Certificate', CERT.id));
    await vi.advanceTimersByTimeAsync(3010);
    await waitFor(() => expect(rows()).toHaveLength(6));
    expect(rows()[0]!.textContent).toContain('delete');
    expect(api.callsTo('/v1/events').at(-1)!.url).toContain('since=5');
  });
});
