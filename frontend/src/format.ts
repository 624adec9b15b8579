import { locale, type Lang } from './i18n';

/** m:ss (minutes are not wrapped into hours: a 75-minute call is 75:00). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–:––';
  const whole = Math.floor(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${minutes}:${String(rest).padStart(2, '0')}`;
}

/** A call's start in the viewer's time zone, e.g. "Nov 20, 2026, 12:00 PM". */
export function formatDateTime(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Time to the second for the operations page, with the date only when it is not today. */
export function formatTime(iso: string, lang: Lang, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const today = date.toDateString() === now.toDateString();
  const style: Intl.DateTimeFormatOptions = today ? { timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'medium' };
  return new Intl.DateTimeFormat(locale(lang), style).format(date);
}

/**
 * Text that must read left to right inside a translated sentence (a phone number in an accessible name):
 * wrapped in a left-to-right isolate (U+2066 … U+2069), the plain-text form of <bdi dir="ltr">.
 */
export function isolateLtr(text: string): string {
  return `\u2066${text}\u2069`;
}
