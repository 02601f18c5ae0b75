/** A certificate's expiry: the date and the whole days left (or since it expired). */

/** daysLeft counts whole days from now until notAfter (negative once expired). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / 86_400_000);
}

/** daysLeftText says how long a certificate has left, in words. */
export function daysLeftText(days: number): string {
  if (days < 0) return days === -1 ? 'expired 1 day ago' : `expired ${-days} days ago`;
  return days === 1 ? '1 day left' : `${days} days left`;
}

/** Expiry shows the end of validity and the days left; under 30 days it is marked, expired more so. */
export function Expiry({ notAfter, now }: { notAfter: string; now: Date }) {
  const days = daysLeft(notAfter, now);
  const date = new Date(notAfter).toISOString().slice(0, 10);
  return (
    <span class={days < 0 ? 'expiry expired' : days < 30 ? 'expiry soon' : 'expiry'}>
      <time dateTime={notAfter}>{date}</time> <span class="sub">({daysLeftText(days)})</span>
    </span>
  );
}
