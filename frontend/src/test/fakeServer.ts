// A scripted stand-in for the api: every fetch stays pending until the test answers it, and rejects
// with an AbortError when its signal is aborted, as the browser's fetch does.
import { vi } from 'vitest';
import type { Call, RecordingStatus } from '../api';

export interface FakeRequest {
  url: string;
  method: string;
  headers: Headers;
  signal: AbortSignal;
  settled: boolean;
  respond(status: number, body?: unknown): void;
  failNetwork(): void;
}

export interface FakeResponseBody {
  cancel: ReturnType<typeof vi.fn>;
}

export function fakeServer() {
  const requests: FakeRequest[] = [];
  const bodies: FakeResponseBody[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const fetchMock = vi.fn((input: RequestInfo | URL, init: RequestInit = {}) => {
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? new AbortController().signal;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const request: FakeRequest = {
        url: String(input),
        method: init.method ?? 'GET',
        headers: new Headers(init.headers),
        signal,
        settled: false,
        respond(status, body) {
          if (!settle()) return;
          const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
          const stream: FakeResponseBody = { cancel: vi.fn(async () => undefined) };
          bodies.push(stream);
          resolve({
            status,
            ok: status >= 200 && status < 300,
            statusText: '',
            body: stream,
            json: async () => JSON.parse(text),
            text: async () => text,
          } as unknown as Response);
        },
        failNetwork() {
          if (settle()) reject(new TypeError('Failed to fetch'));
        },
      };
      function settle(): boolean {
        if (request.settled) return false;
        request.settled = true;
        inFlight -= 1;
        return true;
      }
      signal.addEventListener('abort', () => {
        if (settle()) reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
      requests.push(request);
    });
  });

  return {
    fetchMock,
    fetch: fetchMock as unknown as typeof globalThis.fetch,
    requests,
    bodies,
    last: () => requests[requests.length - 1],
    maxInFlight: () => maxInFlight,
  };
}

/** Lets resolved promises run (the controller's awaits) without moving the clock. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export const CALL_A = 'CA' + 'a'.repeat(32);
export const CALL_B = 'CA' + 'b'.repeat(32);

export function call(callSid: string): Call {
  return {
    call_sid: callSid,
    direction: 'inbound',
    from: '+15550001111',
    to: '+15550002222',
    started_at: '2026-11-20T10:00:00Z',
    duration_seconds: 184,
    recording: { recording_sid: 'RE' + '1'.repeat(32), duration_seconds: 180, status: 'missing', size_bytes: null },
  };
}

export function status(callSid: string, overrides: Partial<RecordingStatus> = {}): RecordingStatus {
  const ready = overrides.status === 'ready';
  return {
    call_sid: callSid,
    status: 'missing',
    retry_after: ready ? null : 3,
    fail_count: 0,
    error: null,
    size_bytes: ready ? 2_880_000 : null,
    content_type: ready ? 'audio/mpeg' : null,
    progress: { bytes: 0, total: null },
    stream_url: ready ? `/api/recordings/${callSid}/stream?token=1.9999999999.signature` : null,
    live_stream_url: null,
    paused: false,
    next_attempt_at: null,
    ...overrides,
  };
}
