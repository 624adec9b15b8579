// Every HTTP call of the UI lives here. Requests are relative (same origin as the api), each takes an
// AbortSignal, and the bearer token comes from the session. The shapes follow docs/api.md.

export type RecordingStatusName = 'missing' | 'queued' | 'downloading' | 'ready' | 'failed';

export interface Business {
  id: number;
  name: string;
  account_sid: string;
}

export interface IssuedToken {
  token: string;
  expires_at: string;
}

export interface RecordingSummary {
  recording_sid: string;
  duration_seconds: number | null;
  status: RecordingStatusName;
  size_bytes: number | null;
}

export interface Call {
  call_sid: string;
  direction: string | null;
  from: string | null;
  to: string | null;
  started_at: string;
  duration_seconds: number | null;
  recording: RecordingSummary | null;
}

export interface CallPage {
  items: Call[];
  next_cursor: string | null;
}

export interface DownloadProgress {
  bytes: number;
  total: number | null;
}

export interface RecordingStatus {
  call_sid: string;
  status: RecordingStatusName;
  retry_after: number | null;
  fail_count: number;
  error: string | null;
  size_bytes: number | null;
  content_type: string | null;
  progress: DownloadProgress | null;
  stream_url: string | null;
  /**
   * While downloading, once the first bytes proved to be audio: a signed URL like `stream_url` that
   * serves the bytes received so far at once and the rest as they arrive (and, once stored, the file).
   * Absent from an api without live streams.
   */
  live_stream_url?: string | null;
  /** Downloads for the recording's business are paused by an operator: nothing starts until resumed. */
  paused: boolean;
  /** When the worker's next automatic attempt is due (ISO), while a retry is scheduled. */
  next_attempt_at: string | null;
}

/** Roles a token may carry; a role the UI does not know is ignored, as the api's verifier does. */
export type Role = 'ops';
export const KNOWN_ROLES: readonly Role[] = ['ops'];

export interface QueueDepth {
  waiting: number;
  delayed: number;
  pending: number;
  oldest_waiting_seconds: number | null;
}

/**
 * A business's prefetch policy: completed recordings of calls of the last `hours` are fetched before
 * anyone presses Play, at most `daily_max_count` a day (UTC; null: no cap).
 */
export interface PrefetchPolicy {
  hours: number;
  daily_max_count: number | null;
}

/** The answer to setting a prefetch policy. */
export interface PrefetchSetting {
  business_id: number;
  /** null: prefetch is off. */
  prefetch: PrefetchPolicy | null;
}

/** One business as the operations API shows it (also the answer to pause, resume and limit). */
export interface BusinessControl {
  id: number;
  name: string;
  account_sid: string;
  in_flight: number;
  limit: number;
  limit_overridden: boolean;
  paused: boolean;
  queued: number;
  downloading: number;
  failed: number;
  /** null: prefetch is off. */
  prefetch: PrefetchPolicy | null;
  /** Prefetches started today (UTC), as the daily cap counts them; null while prefetch is off. */
  prefetched_today: number | null;
}

export interface ThroughputMinute {
  minute: string;
  succeeded: number;
  failed: number;
}

export interface RecentFailure {
  business_id: number;
  call_sid: string;
  recording_sid: string;
  status: RecordingStatusName;
  error: string | null;
  fail_count: number;
  next_attempt_at: string | null;
  updated_at: string;
}

export interface StuckRun {
  run_id: number;
  business_id: number;
  call_sid: string;
  worker: string | null;
  lease_until: string;
}

export type AuditAction = 'pause' | 'resume' | 'set_limit' | 'retry_now' | 'set_prefetch';

export interface AuditEntry {
  at: string;
  actor: string;
  action: AuditAction;
  business_id: number | null;
  call_sid: string | null;
  detail: string | null;
}

export interface OpsOverview {
  generated_at: string;
  queue: QueueDepth;
  default_limit: number;
  businesses: BusinessControl[];
  /** The last 15 minutes, oldest first, one entry per minute (zeros included). */
  throughput: ThroughputMinute[];
  recent_failures: RecentFailure[];
  stuck_runs: StuckRun[];
  audit: AuditEntry[];
}

/** What the explicit stream request (`?explicit_user_action=true`) answered. */
export type StreamAnswer =
  /** 200/206: the file is stored; its signed URL comes from the status endpoint. */
  | { kind: 'ready' }
  /** 202: a download is queued or running (enqueued at most once by the api). */
  | { kind: 'pending'; status: RecordingStatus }
  /** 503: failed and still inside its backoff window. */
  | { kind: 'backing_off'; status: RecordingStatus }
  /** 410: gone at the provider for good. */
  | { kind: 'gone'; status: RecordingStatus };

/** Status 0 means the request never got an HTTP answer (network error). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export interface ApiOptions {
  /** Injected for tests; defaults to the global fetch, looked up at call time. */
  fetch?: typeof fetch;
  getToken: () => string | null;
  /** Called on any 401 before the error is thrown, so the app can return to sign-in in one place. */
  onUnauthorized?: () => void;
}

export interface Api {
  listBusinesses(signal?: AbortSignal): Promise<Business[]>;
  /** Roles are sent only when asked for (the operator option of the demo sign-in). */
  issueToken(businessId: number, user: string, roles: readonly Role[], signal?: AbortSignal): Promise<IssuedToken>;
  listCalls(page: { limit: number; cursor?: string | null }, signal?: AbortSignal): Promise<CallPage>;
  /**
   * Check only: never enqueues. With waitSeconds, a long-poll that answers early on ready/failed, and
   * with `live` also as soon as a live stream URL is set.
   */
  recordingStatus(callSid: string, options: { waitSeconds?: number; live?: boolean }, signal?: AbortSignal): Promise<RecordingStatus>;
  /** The explicit Play request: enqueues the download at most once, server side. */
  requestStream(callSid: string, signal?: AbortSignal): Promise<StreamAnswer>;

  /** Operations (the `ops` role; 403 `forbidden` without it): every business, the queue, failures, audit. */
  opsOverview(signal?: AbortSignal): Promise<OpsOverview>;
  pauseBusiness(businessId: number, signal?: AbortSignal): Promise<BusinessControl>;
  resumeBusiness(businessId: number, signal?: AbortSignal): Promise<BusinessControl>;
  /** limit 1..100, or null for the default. */
  setBusinessLimit(businessId: number, limit: number | null, signal?: AbortSignal): Promise<BusinessControl>;
  /** A policy (hours 1..720, a daily cap of at least 1 or none), or null to turn prefetch off. */
  setPrefetch(businessId: number, policy: PrefetchPolicy | null, signal?: AbortSignal): Promise<PrefetchSetting>;
  /** A failed recording gets a new run now; a scheduled retry is made due now (409 `not_retryable` otherwise). */
  retryRecording(businessId: number, callSid: string, signal?: AbortSignal): Promise<RecordingStatus>;
}

export function createApi(options: ApiOptions): Api {
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);

  async function send(path: string, init: RequestInit & { auth: boolean }): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    if (init.auth) {
      const token = options.getToken();
      if (token) headers.set('Authorization', `Bearer ${token}`);
    }
    let response: Response;
    try {
      response = await doFetch(path, { ...init, headers });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
    }
    if (response.status === 401) options.onUnauthorized?.();
    return response;
  }

  async function errorOf(response: Response): Promise<ApiError> {
    let code = `http_${response.status}`;
    let message = response.statusText || code;
    try {
      const body = (await response.json()) as { error?: unknown; message?: unknown };
      if (typeof body.error === 'string') code = body.error;
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // not JSON (a proxy's error page): the HTTP status is all we know
    }
    return new ApiError(response.status, code, message);
  }

  /** 202/503/410 of the stream carry the status JSON; a proxy's 503 page does not. */
  async function statusBodyOf(response: Response): Promise<RecordingStatus> {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as Partial<RecordingStatus> & { error?: string; message?: string };
      if (typeof body.status === 'string') return body as RecordingStatus;
      throw new ApiError(response.status, body.error ?? `http_${response.status}`, body.message ?? text);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(response.status, `http_${response.status}`, response.statusText || text);
    }
  }

  async function getJson<T>(path: string, signal: AbortSignal | undefined, auth = true): Promise<T> {
    const response = await send(path, { method: 'GET', signal, auth });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  async function sendJson<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined, auth = true): Promise<T> {
    const response = await send(path, {
      method,
      signal,
      auth,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  const business = (id: number) => `/api/ops/businesses/${encodeURIComponent(String(id))}`;

  return {
    listBusinesses: (signal) => getJson<Business[]>('/api/dev/businesses', signal, false),

    issueToken(businessId, user, roles, signal) {
      const body = roles.length > 0 ? { business_id: businessId, user, roles } : { business_id: businessId, user };
      return sendJson<IssuedToken>('POST', '/api/dev/token', body, signal, false);
    },

    listCalls({ limit, cursor }, signal) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (cursor) query.set('cursor', cursor);
      return getJson<CallPage>(`/api/calls?${query}`, signal);
    },

    recordingStatus(callSid, { waitSeconds, live }, signal) {
      const wait = waitSeconds ? `?wait=${waitSeconds}${live ? '&live=true' : ''}` : '';
      return getJson<RecordingStatus>(`/api/recordings/${encodeURIComponent(callSid)}/status${wait}`, signal);
    },

    async requestStream(callSid, signal) {
      const path = `/api/recordings/${encodeURIComponent(callSid)}/stream?explicit_user_action=true`;
      const response = await send(path, { method: 'GET', signal, auth: true });
      if (response.status === 200 || response.status === 206) {
        // The body is the audio itself: never read it here (the <audio> element streams it from the
        // signed URL), just let the connection go.
        await response.body?.cancel().catch(() => undefined);
        return { kind: 'ready' };
      }
      if (response.status === 202 || response.status === 503 || response.status === 410) {
        const status = await statusBodyOf(response);
        if (response.status === 202) return { kind: 'pending', status };
        if (response.status === 503) return { kind: 'backing_off', status };
        return { kind: 'gone', status };
      }
      throw await errorOf(response);
    },

    opsOverview: (signal) => getJson<OpsOverview>('/api/ops/overview', signal),
    pauseBusiness: (id, signal) => sendJson<BusinessControl>('POST', `${business(id)}/pause`, undefined, signal),
    resumeBusiness: (id, signal) => sendJson<BusinessControl>('POST', `${business(id)}/resume`, undefined, signal),
    setBusinessLimit: (id, limit, signal) => sendJson<BusinessControl>('PUT', `${business(id)}/limit`, { limit }, signal),
    setPrefetch: (id, policy, signal) =>
      sendJson<PrefetchSetting>('PUT', `${business(id)}/prefetch`, policy ?? { hours: null }, signal),
    retryRecording: (id, callSid, signal) =>
      sendJson<RecordingStatus>('POST', `${business(id)}/recordings/${encodeURIComponent(callSid)}/retry`, undefined, signal),
  };
}
