/**
 * The admin token for this browser tab: kept in sessionStorage only (gone when the tab closes,
 * never a cookie, never in a URL), forgotten on logout.
 */

const KEY = 'gatehouse.adminToken';

/** storedToken returns the token this tab signed in with, if any. */
export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** rememberToken keeps the token for this tab. */
export function rememberToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

/** forgetToken removes the token (logout, or the API refused it). */
export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
