// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApi } from './api';
import { CALL_A, fakeServer, flush, status } from './test/fakeServer';

describe('api', () => {
  it('sends relative requests with the session token and the caller’s signal', async () => {
    const server = fakeServer();
    const api = createApi({ fetch: server.fetch, getToken: () => 'abc' });
    const abort = new AbortController();
    const page = api.listCalls({ limit: 20, cursor: 'next page' }, abort.signal);
    server.last().respond(200, { items: [], next_cursor: null });
    await expect(page).resolves.toEqual({ items: [], next_cursor: null });
    expect(server.last().url).toBe('/api/calls?limit=20&cursor=next+page');
    expect(server.last().headers.get('Authorization')).toBe('Bearer abc');
    expect(server.last().signal).toBe(abort.signal);
  });

  it('issues a demo token without a bearer header', async () => {
    const server = fakeServer();
    const api = createApi({ fetch: server.fetch, getToken: () => null });
    const token = api.issueToken(1, 'alice', []);
    await flush();
    server.last().respond(200, { token: 'jwt', expires_at: '2030-01-01T00:00:00Z' });
    await expect(token).resolves.toMatchObject({ token: 'jwt' });
    expect(server.last().method).toBe('POST');
    expect(server.last().headers.has('Authorization')).toBe(false);
  });

  it('asks for the operations role only for an operator', async () => {
    const server = fakeServer();
    const bodies: unknown[] = [];
    const recording = ((input: RequestInfo | URL, init: RequestInit = {}) => {
      bodies.push(JSON.parse(String(init.body)));
      return server.fetch(input, init);
    }) as typeof fetch;
    const api = createApi({ fetch: recording, getToken: () => null });
    void api.issueToken(1, 'olivia', ['ops']);
    void api.issueToken(1, 'alice', []);
    await flush();
    expect(bodies).toEqual([
      { business_id: 1, user: 'olivia', roles: ['ops'] },
      { business_id: 1, user: 'alice' },
    ]);
  });

  it('calls the operations endpoints with their methods, paths and bodies', async () => {
    const server = fakeServer();
    const api = createApi({ fetch: server.fetch, getToken: () => 'ops-token' });
    const calls = [
      () => api.opsOverview(),
      () => api.pauseBusiness(2),
      () => api.resumeBusiness(2),
      () => api.setBusinessLimit(2, 1),
      () => api.setBusinessLimit(2, null),
      () => api.retryRecording(2, CALL_A),
    ];
    for (const start of calls) {
      const answer = start();
      await flush();
      server.last().respond(200, {});
      await answer;
    }
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/ops/overview',
      'POST /api/ops/businesses/2/pause',
      'POST /api/ops/businesses/2/resume',
      'PUT /api/ops/businesses/2/limit',
      'PUT /api/ops/businesses/2/limit',
      `POST /api/ops/businesses/2/recordings/${CALL_A}/retry`,
    ]);
    expect(server.requests.every((r) => r.headers.get('Authorization') === 'Bearer ops-token')).toBe(true);
    expect(server.requests[3].headers.get('Content-Type')).toBe('application/json');
  });

  it('turns a 403 of the operations API into an ApiError the page can explain', async () => {
    const server = fakeServer();
    const api = createApi({ fetch: server.fetch, getToken: () => 'user-token' });
    const overview = api.opsOverview();
    server.last().respond(403, { error: 'forbidden', message: 'the operations role is required' });
    await expect(overview).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('reads the status, long-polls it, and long-polls it for a live stream too', async () => {
    const server = fakeServer();
    const api = createApi({ fetch: server.fetch, getToken: () => 'abc' });
    void api.recordingStatus(CALL_A, {});
    void api.recordingStatus(CALL_A, { waitSeconds: 25 });
    void api.recordingStatus(CALL_A, { waitSeconds: 25, live: true });
    await flush();
    expect(server.requests.map((r) => r.url)).toEqual([
      `/api/recordings/${CALL_A}/status`,
      `/api/recordings/${CALL_A}/status?wait=25`,
      `/api/recordings/${CALL_A}/status?wait=25&live=true`,
    ]);
  });

  it('turns error JSON into an ApiError with status and code, and reports 401', async () => {
    const server = fakeServer();
    const onUnauthorized = vi.fn();
    const api = createApi({ fetch: server.fetch, getToken: () => 'abc', onUnauthorized });
    const missing = api.recordingStatus(CALL_A, {});
    server.last().respond(404, { error: 'no_recording', message: 'the call has no completed recording' });
    await expect(missing).rejects.toMatchObject({ name: 'ApiError', status: 404, code: 'no_recording' });

    const expired = api.listCalls({ limit: 20 });
    server.last().respond(401, { error: 'unauthorized', message: 'expired' });
    await expect(expired).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('maps the explicit stream answers: 202, 503, 410, and a network error', async () => {
    const server = fakeServer();
    const api = createApi({ fetch: server.fetch, getToken: () => 'abc' });
    const answers = [202, 503, 410].map(async (code) => {
      const answer = api.requestStream(CALL_A);
      server.last().respond(code, status(CALL_A, { status: code === 202 ? 'queued' : 'failed' }));
      return (await answer).kind;
    });
    await expect(Promise.all(answers)).resolves.toEqual(['pending', 'backing_off', 'gone']);

    const offline = api.requestStream(CALL_A);
    server.last().failNetwork();
    await expect(offline).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
