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
    const token = api.issueToken(1, 'alice');
    await flush();
    server.last().respond(200, { token: 'jwt', expires_at: '2030-01-01T00:00:00Z' });
    await expect(token).resolves.toMatchObject({ token: 'jwt' });
    expect(server.last().method).toBe('POST');
    expect(server.last().headers.has('Authorization')).toBe(false);
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
