// An operations overview as the api answers it (see the operations API), for tests.
import type { BusinessControl, OpsOverview } from '../api';
import { CALL_A, CALL_B } from './fakeServer';

export const GENERATED_AT = '2026-11-22T10:00:00Z';

export function business(overrides: Partial<BusinessControl> = {}): BusinessControl {
  return {
    id: 1,
    name: 'Acme Plumbing',
    account_sid: 'AC' + '1'.repeat(32),
    in_flight: 2,
    limit: 5,
    limit_overridden: false,
    paused: false,
    queued: 3,
    downloading: 2,
    failed: 1,
    prefetch: null,
    prefetched_today: null,
    ...overrides,
  };
}

export function overview(overrides: Partial<OpsOverview> = {}): OpsOverview {
  const start = Date.parse(GENERATED_AT) - 15 * 60_000;
  return {
    generated_at: GENERATED_AT,
    queue: { waiting: 3, delayed: 2, pending: 1, oldest_waiting_seconds: 75.5 },
    default_limit: 5,
    businesses: [
      business(),
      business({ id: 2, name: 'Blue Harbor Dental', account_sid: 'AC' + '2'.repeat(32), in_flight: 0, limit: 1, limit_overridden: true, paused: true }),
    ],
    throughput: Array.from({ length: 15 }, (_, i) => ({
      minute: new Date(start + (i + 1) * 60_000).toISOString(),
      succeeded: i === 14 ? 4 : i % 3,
      failed: i === 14 ? 1 : 0,
    })),
    recent_failures: [
      {
        business_id: 1,
        call_sid: CALL_A,
        recording_sid: 'RE' + 'a'.repeat(32),
        status: 'queued',
        error: 'provider_unavailable',
        fail_count: 2,
        next_attempt_at: '2026-11-22T10:00:05Z',
        updated_at: '2026-11-22T09:59:55Z',
      },
      {
        business_id: 2,
        call_sid: CALL_B,
        recording_sid: 'RE' + 'b'.repeat(32),
        status: 'failed',
        error: 'provider_not_found',
        fail_count: 1,
        next_attempt_at: null,
        updated_at: '2026-11-22T09:58:00Z',
      },
    ],
    stuck_runs: [],
    audit: [
      { at: '2026-11-22T09:59:00Z', actor: 'olivia', action: 'pause', business_id: 2, call_sid: null, detail: null },
    ],
    ...overrides,
  };
}
