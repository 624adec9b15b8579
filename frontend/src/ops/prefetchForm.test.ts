// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { MAX_PREFETCH_HOURS, parsePrefetchForm } from './prefetchForm';

describe('parsePrefetchForm', () => {
  it('takes hours from 1 to 720, with a daily cap or none', () => {
    expect(parsePrefetchForm('24', '500')).toEqual({ ok: true, policy: { hours: 24, daily_max_count: 500 } });
    expect(parsePrefetchForm(' 1 ', '')).toEqual({ ok: true, policy: { hours: 1, daily_max_count: null } });
    expect(parsePrefetchForm(String(MAX_PREFETCH_HOURS), '  ')).toEqual({
      ok: true,
      policy: { hours: 720, daily_max_count: null },
    });
    expect(parsePrefetchForm('48', '1')).toEqual({ ok: true, policy: { hours: 48, daily_max_count: 1 } });
  });

  it('names the hours when they are not a whole number from 1 to 720', () => {
    for (const hours of ['', '0', '721', '-1', '2.5', '1e2', '0x10', 'abc', '24h']) {
      expect(parsePrefetchForm(hours, '10'), hours).toEqual({ ok: false, error: 'invalid_hours' });
    }
  });

  it('names the cap when it is given but not a whole number of at least 1', () => {
    for (const cap of ['0', '-3', '1.5', 'many', '1e3']) {
      expect(parsePrefetchForm('24', cap), cap).toEqual({ ok: false, error: 'invalid_cap' });
    }
  });
});
