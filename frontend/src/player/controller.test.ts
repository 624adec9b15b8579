// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, type RecordingStatus } from '../api';
import { CALL_A, CALL_B, call, fakeServer, flush, status } from '../test/fakeServer';
import { PlaybackController } from './controller';
import { LONG_POLL_WAIT_SECONDS } from './state';

const STATUS_A = `/api/recordings/${CALL_A}/status`;
const EXPLICIT_A = `/api/recordings/${CALL_A}/stream?explicit_user_action=true`;
const LONG_POLL_A = `${STATUS_A}?wait=${LONG_POLL_WAIT_SECONDS}&live=true`;
/** While the audio plays a live stream, the long-poll waits for ready or failed only. */
const READY_POLL_A = `${STATUS_A}?wait=${LONG_POLL_WAIT_SECONDS}`;
const LIVE_URL_A = `/api/recordings/${CALL_A}/stream?token=1.1111111111.live`;

/** A status of a download in progress whose first bytes proved to be audio. */
const downloadingLive = (overrides: Partial<RecordingStatus> = {}) =>
  status(CALL_A, { status: 'downloading', progress: { bytes: 640_000, total: 57_600_000 }, live_stream_url: LIVE_URL_A, ...overrides });

function setup() {
  const server = fakeServer();
  const onUnauthorized = vi.fn();
  const api = createApi({ fetch: server.fetch, getToken: () => 'jwt-token', onUnauthorized });
  const controller = new PlaybackController({ api });
  const media = { play: vi.fn(async () => undefined), pause: vi.fn(), currentTime: 0 };
  controller.attachMedia(media);
  return { server, controller, media, onUnauthorized };
}

/** Play of a cold recording up to the first long-poll in flight (2 requests answered). */
async function coldPlayUntilLongPoll(ctx: ReturnType<typeof setup>) {
  ctx.controller.playCall(call(CALL_A));
  ctx.server.last().respond(200, status(CALL_A, { status: 'missing' }));
  await flush();
  ctx.server.last().respond(202, status(CALL_A, { status: 'queued' }));
  await flush();
}

/** Moves the clock and lets the controller react to the timers that fired. */
async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
}

describe('PlaybackController', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('plays a cold recording with status, explicit request and one long-poll: 3 requests', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    await advance(4_000);
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();

    expect(ctx.server.requests.map((r) => r.url)).toEqual([STATUS_A, EXPLICIT_A, LONG_POLL_A]);
    expect(ctx.server.requests.every((r) => r.headers.get('Authorization') === 'Bearer jwt-token')).toBe(true);
    const state = ctx.controller.getState();
    expect(state.kind).toBe('ready');
    expect(state.kind === 'ready' && state.media.streamUrl).toBe(`/api/recordings/${CALL_A}/stream?token=1.9999999999.signature`);
    expect(ctx.server.maxInFlight()).toBe(1);

    // Nothing more is asked once ready, however long we wait.
    await advance(120_000);
    expect(ctx.server.requests).toHaveLength(3);
  });

  it('starts the audio once ready when Play was pressed, and follows the media events', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    expect(ctx.server.requests).toHaveLength(1);

    ctx.controller.mediaReady();
    expect(ctx.media.play).toHaveBeenCalledTimes(1);
    ctx.controller.mediaPlaying();
    expect(ctx.controller.getState().kind).toBe('playing');
    ctx.controller.togglePlay();
    expect(ctx.media.pause).toHaveBeenCalledTimes(1);
    ctx.controller.mediaPaused();
    expect(ctx.controller.getState().kind).toBe('paused');
    ctx.controller.togglePlay();
    expect(ctx.media.play).toHaveBeenCalledTimes(2);
    expect(ctx.server.requests).toHaveLength(1);
  });

  it('on a 200 to the explicit request, drops the audio body and re-reads the status for the URL', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.server.last().respond(200, status(CALL_A, { status: 'missing' }));
    await flush();
    ctx.server.last().respond(200, 'ID3 audio bytes');
    await flush();
    expect(ctx.server.bodies[1].cancel).toHaveBeenCalled();
    expect(ctx.server.last().url).toBe(STATUS_A);
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();

    expect(ctx.server.requests).toHaveLength(3);
    expect(ctx.controller.getState().kind).toBe('ready');
  });

  it('keeps long-polling while the server holds each poll for its wait', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    await advance(LONG_POLL_WAIT_SECONDS * 1000);
    ctx.server.last().respond(200, status(CALL_A, { status: 'downloading', progress: { bytes: 500, total: 1000 } }));
    await flush();

    expect(ctx.server.requests).toHaveLength(4);
    expect(ctx.server.last().url).toBe(LONG_POLL_A);
    const state = ctx.controller.getState();
    expect(state.kind === 'waiting' && state.progress).toEqual({ bytes: 500, total: 1000 });
  });

  it('falls back to polling at 3, 5, 8, 12, 20 s when the long-poll answers at once, then times out', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, status(CALL_A, { status: 'queued', retry_after: null }));
    await flush();

    const pollTimes: number[] = [];
    let clock = 0;
    for (const seconds of [3, 5, 8, 12, 20]) {
      const before = ctx.server.requests.length;
      await advance(seconds * 1000 - 1);
      expect(ctx.server.requests).toHaveLength(before);
      await advance(1);
      expect(ctx.server.requests).toHaveLength(before + 1);
      clock += seconds;
      pollTimes.push(clock);
      expect(ctx.server.last().url).toBe(STATUS_A);
      ctx.server.last().respond(200, status(CALL_A, { status: 'queued', retry_after: null }));
      await flush();
    }

    expect(pollTimes).toEqual([3, 8, 16, 28, 48]);
    const state = ctx.controller.getState();
    expect(state.kind === 'failed' && state.reason).toBe('timed_out');
    await advance(300_000);
    expect(ctx.server.requests).toHaveLength(3 + 5);
  });

  it('honours a retry_after larger than the backoff step', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, status(CALL_A, { status: 'queued', retry_after: 10 }));
    await flush();

    await advance(9_999);
    expect(ctx.server.requests).toHaveLength(3);
    await advance(1);
    expect(ctx.server.requests).toHaveLength(4);
  });

  it('stops polling on failed: no request after it', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, status(CALL_A, { status: 'queued', retry_after: null }));
    await flush();
    await advance(3_000);
    ctx.server.last().respond(200, status(CALL_A, { status: 'failed', error: 'provider_unavailable', retry_after: null }));
    await flush();

    const state = ctx.controller.getState();
    expect(state.kind === 'failed' && [state.reason, state.retryable]).toEqual(['provider_unavailable', true]);
    await advance(600_000);
    expect(ctx.server.requests).toHaveLength(4);
  });

  it('moves to backoff polling after a network error on the long-poll', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().failNetwork();
    await flush();

    expect(ctx.controller.getState().kind).toBe('waiting');
    await advance(2_999);
    expect(ctx.server.requests).toHaveLength(3);
    await advance(1);
    expect(ctx.server.requests).toHaveLength(4);
    expect(ctx.server.last().url).toBe(STATUS_A);
  });

  it('gives up on a long-poll that outlives its wait and polls with backoff instead', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    const longPoll = ctx.server.last();
    await advance((LONG_POLL_WAIT_SECONDS + 15) * 1000);
    expect(longPoll.signal.aborted).toBe(true);
    expect(ctx.controller.getState().kind).toBe('waiting');
    await advance(3_000);
    expect(ctx.server.requests).toHaveLength(4);
  });

  it('switching to another recording aborts the request in flight; the first is never asked again', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    const longPollA = ctx.server.last();

    ctx.controller.playCall(call(CALL_B));
    expect(longPollA.signal.aborted).toBe(true);
    expect(ctx.server.last().url).toBe(`/api/recordings/${CALL_B}/status`);
    await flush();
    expect(ctx.controller.getState().call?.call_sid).toBe(CALL_B);
    expect(ctx.controller.getState().kind).toBe('checking');

    ctx.server.last().respond(200, status(CALL_B, { status: 'ready' }));
    await flush();
    await advance(600_000);
    const forA = ctx.server.requests.filter((r) => r.url.includes(CALL_A));
    expect(forA).toHaveLength(3);
    expect(ctx.controller.getState().kind).toBe('ready');
    expect(ctx.server.maxInFlight()).toBe(1);
  });

  it('an answer that arrives for an abandoned request never changes the state', async () => {
    const server = fakeServer();
    const answers: Array<(value: RecordingStatus) => void> = [];
    const api = createApi({ fetch: server.fetch, getToken: () => 't' });
    // Ignores its signal, like a fetch whose answer was already on its way when it was aborted.
    const lateApi = { ...api, recordingStatus: vi.fn(() => new Promise<RecordingStatus>((resolve) => answers.push(resolve))) };
    const controller = new PlaybackController({ api: lateApi });
    controller.playCall(call(CALL_A));
    controller.playCall(call(CALL_B));
    answers[0](status(CALL_A, { status: 'ready' }));
    await flush();
    expect(answers).toHaveLength(2);
    expect(controller.getState()).toMatchObject({ kind: 'checking', call: { call_sid: CALL_B } });
  });

  it('dispose aborts the request in flight and cancels a pending poll', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    const longPoll = ctx.server.last();
    ctx.controller.dispose();
    expect(longPoll.signal.aborted).toBe(true);
    await advance(600_000);
    expect(ctx.server.requests).toHaveLength(3);

    const other = setup();
    await coldPlayUntilLongPoll(other);
    other.server.last().respond(200, status(CALL_A, { status: 'queued', retry_after: null }));
    await flush();
    expect(other.controller.pendingRequest()?.kind).toBe('poll');
    other.controller.dispose();
    await advance(600_000);
    expect(other.server.requests).toHaveLength(3);
  });

  it('resumes the request its state needs after a dispose (StrictMode remount)', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    const first = ctx.server.last();
    ctx.controller.dispose();
    expect(first.signal.aborted).toBe(true);
    ctx.controller.resume();
    expect(ctx.server.requests).toHaveLength(2);
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    expect(ctx.controller.getState().kind).toBe('ready');
  });

  it('Play/Pause/Play pressed quickly adds no request', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.controller.togglePlay();
    ctx.controller.togglePlay();
    ctx.controller.togglePlay();
    ctx.controller.playCall(call(CALL_A));
    expect(ctx.server.requests).toHaveLength(1);
    ctx.server.last().respond(200, status(CALL_A, { status: 'missing' }));
    await flush();
    ctx.server.last().respond(202, status(CALL_A, { status: 'queued' }));
    await flush();
    for (let i = 0; i < 10; i++) ctx.controller.togglePlay();
    await flush();

    expect(ctx.server.requests).toHaveLength(3);
    expect(ctx.server.maxInFlight()).toBe(1);
    // Ten toggles from "play wanted" leave it wanted; the audio starts when ready.
    const state = ctx.controller.getState();
    expect(state.kind === 'waiting' && state.autoplay).toBe(true);
  });

  it('a paused wait does not start the audio when it becomes ready', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.controller.togglePlay();
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    ctx.controller.mediaReady();
    expect(ctx.media.play).not.toHaveBeenCalled();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'ready', autoplay: false });
  });

  it('starts the audio on the live stream URL before the download is ready, then follows it to ready', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    await advance(1_000);
    ctx.server.last().respond(200, downloadingLive());
    await flush();

    expect(ctx.controller.getState()).toMatchObject({ kind: 'ready', media: { streamUrl: LIVE_URL_A }, live: { progress: { bytes: 640_000 } } });
    ctx.controller.mediaReady();
    expect(ctx.media.play).toHaveBeenCalledTimes(1);
    ctx.controller.mediaPlaying();
    expect(ctx.server.last().url).toBe(READY_POLL_A);

    // Play and Pause while it downloads keep the one long-poll in flight.
    const longPoll = ctx.server.last();
    ctx.controller.togglePlay();
    ctx.controller.mediaPaused();
    ctx.controller.togglePlay();
    ctx.controller.mediaPlaying();
    expect(longPoll.signal.aborted).toBe(false);

    await advance(30_000);
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    // Ready with a freshly signed URL: the element keeps the src it plays, so nothing restarts.
    expect(ctx.controller.getState()).toMatchObject({ kind: 'playing', media: { streamUrl: LIVE_URL_A }, live: null });
    expect(ctx.server.requests.map((r) => r.url)).toEqual([STATUS_A, EXPLICIT_A, LONG_POLL_A, READY_POLL_A]);
    expect(ctx.server.maxInFlight()).toBe(1);
    await advance(600_000);
    expect(ctx.server.requests).toHaveLength(4);
  });

  it('an audio error while live asks the status once and shows the failure as any failed recording', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, downloadingLive());
    await flush();
    ctx.controller.mediaPlaying();
    const longPoll = ctx.server.last();

    ctx.media.currentTime = 12.5;
    ctx.controller.mediaError();
    expect(longPoll.signal.aborted).toBe(true);
    expect(ctx.server.last().url).toBe(STATUS_A);
    ctx.server.last().respond(200, status(CALL_A, { status: 'failed', error: 'invalid_media', retry_after: null }));
    await flush();

    expect(ctx.controller.getState()).toMatchObject({ kind: 'failed', reason: 'invalid_media', retryable: true });
    await advance(600_000);
    expect(ctx.server.requests.map((r) => r.url)).toEqual([STATUS_A, EXPLICIT_A, LONG_POLL_A, READY_POLL_A, STATUS_A]);
    expect(ctx.server.maxInFlight()).toBe(1);
  });

  it('an audio error while live resumes the stored file where it stopped when the recording turned ready', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, downloadingLive());
    await flush();
    ctx.controller.mediaPlaying();

    ctx.media.currentTime = 42;
    ctx.controller.mediaError();
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();

    expect(ctx.controller.getState()).toMatchObject({
      kind: 'ready',
      autoplay: true,
      live: null,
      media: { streamUrl: `/api/recordings/${CALL_A}/stream?token=1.9999999999.signature`, startAt: 42 },
    });
    expect(ctx.server.requests).toHaveLength(5);
  });

  it('a live stream that broke is not taken again: the player waits for the stored file, saying why', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, downloadingLive());
    await flush();
    ctx.controller.mediaPlaying();
    ctx.media.currentTime = 30;
    ctx.controller.mediaError();
    ctx.server.last().respond(200, status(CALL_A, { status: 'queued', error: 'invalid_media', fail_count: 1, retry_after: 5 }));
    await flush();

    expect(ctx.controller.getState()).toMatchObject({ kind: 'waiting', error: 'invalid_media', resumeAt: 30 });
    // The long-poll waits for ready or failed: a live stream of the next attempt would answer it at once.
    expect(ctx.server.last().url).toBe(READY_POLL_A);
    await advance(LONG_POLL_WAIT_SECONDS * 1000);
    ctx.server.last().respond(200, downloadingLive());
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'waiting', status: 'downloading' });
    expect(ctx.server.last().url).toBe(READY_POLL_A);
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'ready', media: { startAt: 30 } });
    expect(ctx.server.requests).toHaveLength(7);
  });

  it('a live stream whose download stops short shows the failure from the long-poll, with no extra request', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    ctx.server.last().respond(200, downloadingLive());
    await flush();
    ctx.controller.mediaPlaying();
    // The audio only stalls; the long-poll in flight learns the end of the download.
    ctx.server.last().respond(200, status(CALL_A, { status: 'failed', error: 'provider_unavailable', retry_after: 90 }));
    await flush();

    expect(ctx.controller.getState()).toMatchObject({ kind: 'failed', reason: 'provider_unavailable', retryAfter: 90 });
    ctx.controller.mediaError();
    await advance(600_000);
    expect(ctx.server.requests).toHaveLength(4);
  });

  it('an api without live streams: the audio waits for the stored file, as before', async () => {
    const ctx = setup();
    await coldPlayUntilLongPoll(ctx);
    const withoutLive = status(CALL_A, { status: 'downloading', progress: { bytes: 640_000, total: 2_880_000 } });
    delete withoutLive.live_stream_url;
    await advance(LONG_POLL_WAIT_SECONDS * 1000);
    ctx.server.last().respond(200, withoutLive);
    await flush();

    expect(ctx.controller.getState()).toMatchObject({ kind: 'waiting', status: 'downloading', poll: { mode: 'long_poll', round: 1 } });
    ctx.controller.mediaReady();
    expect(ctx.media.play).not.toHaveBeenCalled();
    ctx.server.last().respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'ready', live: null, media: { streamUrl: `/api/recordings/${CALL_A}/stream?token=1.9999999999.signature` } });
    expect(ctx.server.requests.map((r) => r.url)).toEqual([STATUS_A, EXPLICIT_A, LONG_POLL_A, LONG_POLL_A]);
  });

  it('410 shows the recording gone for good, without Retry', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.server.last().respond(200, status(CALL_A, { status: 'missing' }));
    await flush();
    ctx.server.last().respond(410, status(CALL_A, { status: 'failed', error: 'provider_not_found', retry_after: null }));
    await flush();

    expect(ctx.controller.getState()).toMatchObject({ kind: 'failed', reason: 'provider_not_found', retryable: false });
    ctx.controller.retry();
    await advance(60_000);
    expect(ctx.server.requests).toHaveLength(2);
  });

  it('503 inside the backoff window fails with Retry, and Retry starts over with the explicit request', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.server.last().respond(200, status(CALL_A, { status: 'failed', error: 'provider_unavailable', retry_after: 40 }));
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'failed', reason: 'provider_unavailable', retryable: true });
    expect(ctx.server.requests).toHaveLength(1);

    ctx.controller.retry();
    expect(ctx.server.last().url).toBe(EXPLICIT_A);
    ctx.server.last().respond(503, status(CALL_A, { status: 'failed', error: 'provider_unavailable', retry_after: 37 }));
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'failed', retryable: true, retryAfter: 37 });

    ctx.controller.retry();
    ctx.server.last().respond(202, status(CALL_A, { status: 'queued' }));
    await flush();
    expect(ctx.server.requests.map((r) => r.url)).toEqual([STATUS_A, EXPLICIT_A, EXPLICIT_A, LONG_POLL_A]);
  });

  it('a server failing over answers 503 JSON without a status: the Play is asked again and recovers without a click', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.server.last().respond(200, status(CALL_A, { status: 'missing' }));
    await flush();
    ctx.server.last().respond(503, { error: 'database_unavailable', message: 'the service is briefly unavailable' });
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'checking', step: 'enqueue', outages: 1 });
    expect(ctx.server.requests).toHaveLength(2);

    await advance(2_900);
    expect(ctx.server.requests).toHaveLength(2);
    await advance(200);
    expect(ctx.server.last().url).toBe(EXPLICIT_A);
    ctx.server.last().respond(202, status(CALL_A, { status: 'queued' }));
    await flush();
    expect(ctx.controller.getState()).toMatchObject({ kind: 'waiting' });
    expect(ctx.server.requests.map((r) => r.url)).toEqual([STATUS_A, EXPLICIT_A, EXPLICIT_A, LONG_POLL_A]);
  });

  it('a 401 resets the player and tells the app to return to sign-in', async () => {
    const ctx = setup();
    ctx.controller.playCall(call(CALL_A));
    ctx.server.last().respond(401, { error: 'unauthorized', message: 'token expired' });
    await flush();
    expect(ctx.onUnauthorized).toHaveBeenCalledTimes(1);
    expect(ctx.controller.getState()).toEqual({ kind: 'idle', call: null, attempt: 0 });
    await advance(60_000);
    expect(ctx.server.requests).toHaveLength(1);
  });
});
