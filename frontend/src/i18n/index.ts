// Every string the user sees, in English (en.ts) and Hebrew (he.ts), and how the UI picks and fills
// them. `he` is typed by the keys of `en`, so a missing translation does not compile; the test checks
// the same at run time.

import { en, type MessageKey } from './en';
import { he } from './he';

export type { MessageKey };

export type Lang = 'en' | 'he';

export const messages: Record<Lang, Record<MessageKey, string>> = { en, he };

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return messages[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The words for a failure reason: the api's `error` codes and the player's own. */
export function failureMessageKey(reason: string): MessageKey {
  switch (reason) {
    case 'provider_not_found':
      return 'errorProviderNotFound';
    case 'provider_rate_limited':
      return 'errorProviderRateLimited';
    case 'provider_unavailable':
      return 'errorProviderUnavailable';
    case 'timeout':
      return 'errorTimeout';
    case 'invalid_media':
      return 'errorInvalidMedia';
    case 'worker_lost':
      return 'errorWorkerLost';
    case 'timed_out':
      return 'errorTimedOut';
    case 'network':
      return 'errorNetwork';
    case 'media_error':
      return 'errorMedia';
    case 'no_recording':
    case 'not_found':
      return 'errorNoRecording';
    default:
      return 'errorGeneric';
  }
}

export function direction(lang: Lang): 'ltr' | 'rtl' {
  return lang === 'he' ? 'rtl' : 'ltr';
}

/** Locale for dates and numbers: the user's own region where it matches the language. */
export function locale(lang: Lang): string {
  const preferred = typeof navigator !== 'undefined' ? navigator.language : '';
  if (preferred.toLowerCase().startsWith(lang)) return preferred;
  return lang === 'he' ? 'he-IL' : 'en-US';
}

const LANG_KEY = 'playback.lang';

export function loadLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (stored === 'en' || stored === 'he') return stored;
  } catch {
    // storage disabled: fall through to the browser's language
  }
  const preferred = typeof navigator !== 'undefined' ? navigator.language : '';
  return preferred.toLowerCase().startsWith('he') ? 'he' : 'en';
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}
