import type { BusinessControl } from '../api';
import type { MessageKey } from '../i18n';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** "75 s" or "2 min 5 s" (rounded to the second); a dash when nothing waits. */
export function formatAge(seconds: number | null, t: Translate): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return t('none');
  const whole = Math.round(seconds);
  if (whole < 60) return t('ageSeconds', { seconds: whole });
  return t('ageMinutes', { minutes: Math.floor(whole / 60), seconds: whole % 60 });
}

/** A business's name from the overview, or its id when it is not listed. */
export function businessName(businesses: readonly BusinessControl[], id: number | null): string {
  if (id === null) return '';
  return businesses.find((b) => b.id === id)?.name ?? `#${id}`;
}

/** The first characters of a SID, enough to tell rows apart; the whole SID is in the title. */
export function shortSid(sid: string): string {
  return sid.length > 12 ? `${sid.slice(0, 10)}…` : sid;
}
