/** SignIn: the token goes to the API as a Bearer header; a refusal shows the API's code and title. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignIn } from '../src/sign-in.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });
}

describe('SignIn', () => {
  it('sends the pasted token as a Bearer header and hands it over when accepted', async () => {
    const fetchMock = vi.fn((_url: string, _init: RequestInit) => Promise.resolve(answer(200, { items: [] })));
    vi.stubGlobal('fetch', fetchMock);
    const signedIn = vi.fn();
    render(<SignIn onSignedIn={signedIn} />);
    fireEvent.input(screen.getByLabelText('Admin token'), { target: { value: '  secret-token \n' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(signedIn).toHaveBeenCalledWith('secret-token'));
    const init = fetchMock.mock.calls[0]![1];
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer secret-token');
    expect(init.credentials).toBe('omit');
    expect(String(fetchMock.mock.calls[0]![0])).not.toContain('secret-token');
  });

  it('shows the API refusal with its code and title', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(answer(401, { status: 401, code: 'UNAUTHENTICATED', title: 'Missing or invalid admin token' }))));
    const signedIn = vi.fn();
    render(<SignIn onSignedIn={signedIn} />);
    fireEvent.input(screen.getByLabelText('Admin token'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('UNAUTHENTICATED');
    expect(alert.textContent).toContain('Missing or invalid admin token');
    expect(signedIn).not.toHaveBeenCalled();
  });
});
