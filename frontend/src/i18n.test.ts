// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { failureMessageKey, messages, translate } from './i18n';

describe('i18n', () => {
  it('English and Hebrew have the same keys, none empty', () => {
    expect(Object.keys(messages.he).sort()).toEqual(Object.keys(messages.en).sort());
    for (const lang of ['en', 'he'] as const) {
      for (const [key, text] of Object.entries(messages[lang])) {
        expect(text.trim(), `${lang}.${key}`).not.toBe('');
      }
    }
  });

  it('both languages use the same placeholders in each string', () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(messages.en) as Array<keyof typeof messages.en>) {
      expect(placeholders(messages.he[key]), key).toEqual(placeholders(messages.en[key]));
    }
  });

  it('fills placeholders, with a Hebrew unit for seconds in Hebrew', () => {
    expect(translate('en', 'playerWaiting', { seconds: 7 })).toBe('Waiting for the recording… (7s)');
    expect(translate('he', 'playerWaiting', { seconds: 7 })).toBe('ממתין להקלטה… (7 שנ׳)');
    expect(translate('he', 'playerChecking')).toBe('בודק זמינות הקלטה…');
    expect(translate('he', 'nextAttemptIn', { seconds: 12 })).toBe('הניסיון הבא בעוד 12 שנ׳');
  });

  it('writes an ellipsis as one character, and no Latin unit after a number in Hebrew', () => {
    for (const lang of ['en', 'he'] as const) {
      for (const [key, text] of Object.entries(messages[lang])) {
        expect(text, `${lang}.${key}`).not.toContain('...');
      }
    }
    for (const [key, text] of Object.entries(messages.he)) {
      expect(text, `he.${key}`).not.toMatch(/\}\s?(s|sec|min|ms)\b/);
      expect(text, `he.${key}`).not.toMatch(/\d\s?(s|sec|min|ms)\b/);
    }
  });

  it('says every known failure in words', () => {
    expect(translate('en', failureMessageKey('provider_not_found'))).toBe('The recording no longer exists at the provider');
    for (const code of ['provider_rate_limited', 'provider_unavailable', 'timeout', 'invalid_media', 'worker_lost', 'timed_out']) {
      expect(failureMessageKey(code), code).not.toBe('errorGeneric');
    }
    expect(translate('en', failureMessageKey('disk_full'), { code: 'disk_full' })).toBe('Something went wrong (disk_full)');
  });
});
