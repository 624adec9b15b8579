// What an operator types into a business's prefetch form, checked before anything is sent: the api
// would refuse the same with a 400, but the operator should learn which field is wrong and why.

import type { PrefetchPolicy } from '../api';

export const MIN_PREFETCH_HOURS = 1;
export const MAX_PREFETCH_HOURS = 720;

export type PrefetchFormError = 'invalid_hours' | 'invalid_cap';

export type PrefetchForm = { ok: true; policy: PrefetchPolicy } | { ok: false; error: PrefetchFormError };

/** Hours: a whole number from 1 to 720. Daily cap: empty for none, else a whole number of at least 1. */
export function parsePrefetchForm(hoursText: string, capText: string): PrefetchForm {
  const hours = wholeNumber(hoursText);
  if (hours === null || hours < MIN_PREFETCH_HOURS || hours > MAX_PREFETCH_HOURS) return { ok: false, error: 'invalid_hours' };
  if (capText.trim() === '') return { ok: true, policy: { hours, daily_max_count: null } };
  const cap = wholeNumber(capText);
  if (cap === null || cap < 1) return { ok: false, error: 'invalid_cap' };
  return { ok: true, policy: { hours, daily_max_count: cap } };
}

/** Digits only: "1e2", "0x10", "2.0" and "-1" are not what an operator means by a count. */
function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) return null;
  return Number(trimmed);
}
