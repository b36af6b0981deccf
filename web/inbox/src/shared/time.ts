import { useEffect, useState } from 'react';

/** Ticks every second: the list's "time since the last message" and the offers' countdowns follow it. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = () => setNow(Date.now());
    // A background tab's intervals are throttled (to once a minute in Chrome): what shows a time counts from the
    // clock, not from ticks, and catches up the moment the tab is seen again.
    const timer = setInterval(tick, 1000);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, []);
  return now;
}

export function elapsed(since: string | null, now: number): string {
  if (!since) return '';
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** `datetime-local` speaks the browser's local time without a zone; the hub takes an instant. */
export const toLocalInput = (iso: string | null) => {
  if (!iso) return '';
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Amounts in each currency's minor unit (yen, cents), written the way the currency is. */
export function money(amounts: Record<string, number>, language: string): string {
  return Object.entries(amounts)
    .map(([currency, minor]) => {
      const format = new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { style: 'currency', currency });
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      return format.format(minor / 10 ** digits);
    })
    .join(' / ');
}
