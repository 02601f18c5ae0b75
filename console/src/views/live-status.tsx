/** LiveStatus says when a live page last read the API, or that reading is paused while the tab is hidden. */
import type { Polling } from './live.ts';
import { POLL_MS } from './live.ts';

/** LiveStatus is the "last checked" line of a live page. */
export function LiveStatus({ polling }: { polling: Polling }) {
  const { checkedAt, paused } = polling;
  const text = paused
    ? `Paused while this tab is hidden${checkedAt ? `; last checked ${checkedAt.toLocaleTimeString()}` : ''}.`
    : checkedAt
      ? `Last checked ${checkedAt.toLocaleTimeString()}; checked every ${POLL_MS / 1000} s.`
      : 'Loading…';
  return (
    <p class="hint live-status">
      {checkedAt ? <time dateTime={checkedAt.toISOString()}>{text}</time> : text}
    </p>
  );
}
