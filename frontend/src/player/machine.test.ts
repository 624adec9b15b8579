// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { CALL_A, CALL_B, call, status } from '../test/fakeServer';
import { isRetryable, pollDelaySeconds, requestFor, transition } from './machine';
import {
  BACKOFF_SECONDS,
  LONG_POLL_HONOURED_AFTER_MS,
  LONG_POLL_WAIT_SECONDS,
  MAX_LONG_POLL_ROUNDS,
  initialState,
  observedStatus,
  type PlayerEvent,
  type PlayerState,
} from './state';

const A = call(CALL_A);
const media = { streamUrl: `/api/recordings/${CALL_A}/stream?token=x`, contentType: 'audio/mpeg' };

const idle: PlayerState = { kind: 'idle', call: A, attempt: 0 };
const checkingStatus: PlayerState = { kind: 'checking', call: A, attempt: 1, step: 'status', autoplay: true };
const checkingEnqueue: PlayerState = { ...checkingStatus, step: 'enqueue' };
const waitingLongPoll: PlayerState = {
  kind: 'waiting',
  call: A,
  attempt: 1,
  autoplay: true,
  since: 1_000,
  status: 'queued',
  progress: { bytes: 0, total: null },
  retryAfter: 3,
  error: null,
  paused: false,
  nextAttemptAt: null,
  poll: { mode: 'long_poll', round: 0 },
};
const waitingBackoff = (polls: number): PlayerState => ({ ...waitingLongPoll, poll: { mode: 'backoff', polls } });
const ready: PlayerState = { kind: 'ready', call: A, attempt: 1, media, autoplay: true, live: null };
const playing: PlayerState = { kind: 'playing', call: A, attempt: 1, media, live: null };
const paused: PlayerState = { kind: 'paused', call: A, attempt: 1, media, live: null };
const failedRetryable: PlayerState = {
  kind: 'failed',
  call: A,
  attempt: 1,
  reason: 'provider_unavailable',
  retryable: true,
  retryAfter: null,
};
const failedGone: PlayerState = { ...failedRetryable, reason: 'provider_not_found', retryable: false };

const LIVE_URL = `/api/recordings/${CALL_A}/stream?token=1.1111111111.live`;
const liveDownload = { progress: { bytes: 640_000, total: 57_600_000 }, failCount: 0, poll: { mode: 'long_poll', round: 0 } } as const;
const livePlaying: PlayerState = { kind: 'playing', call: A, attempt: 1, media: { streamUrl: LIVE_URL, contentType: 'audio/mpeg' }, live: liveDownload };
const downloadingLive = { status: 'downloading', progress: liveDownload.progress, live_stream_url: LIVE_URL } as const;

const statusEvent = (overrides: Parameters<typeof status>[1], elapsedMs = 0, position?: number): PlayerEvent => ({
  type: 'status',
  status: status(CALL_A, overrides),
  at: 5_000,
  elapsedMs,
  position,
});

describe('transition', () => {
  it('Play on an idle call starts the check; nothing happens without a call', () => {
    expect(transition(idle, { type: 'play' })).toEqual(checkingStatus);
    expect(transition(initialState, { type: 'play' })).toBe(initialState);
  });

  it('the status check: ready goes straight to ready, failed to failed, else the explicit request', () => {
    expect(transition(checkingStatus, statusEvent({ status: 'ready' }))).toMatchObject({
      kind: 'ready',
      media: { streamUrl: `/api/recordings/${CALL_A}/stream?token=1.9999999999.signature` },
    });
    expect(transition(checkingStatus, statusEvent({ status: 'failed', error: 'invalid_media' }))).toMatchObject({
      kind: 'failed',
      reason: 'invalid_media',
      retryable: true,
    });
    expect(transition(checkingStatus, statusEvent({ status: 'missing' }))).toEqual(checkingEnqueue);
  });

  it('the explicit request: 202 starts the long-poll, 200 re-reads the status, 410/503 fail', () => {
    expect(transition(checkingEnqueue, statusEvent({ status: 'queued' }))).toMatchObject({
      kind: 'waiting',
      since: 5_000,
      poll: { mode: 'long_poll', round: 0 },
    });
    expect(transition(checkingEnqueue, { type: 'stream_ready' })).toMatchObject({ kind: 'checking', step: 'refresh' });
    const gone = status(CALL_A, { status: 'failed', error: 'provider_not_found' });
    expect(transition(checkingEnqueue, { type: 'stream_refused', httpStatus: 410, status: gone })).toMatchObject({
      kind: 'failed',
      retryable: false,
    });
    const backingOff = status(CALL_A, { status: 'failed', error: 'provider_rate_limited', retry_after: 30 });
    expect(transition(checkingEnqueue, { type: 'stream_refused', httpStatus: 503, status: backingOff })).toMatchObject(
      { kind: 'failed', reason: 'provider_rate_limited', retryable: true, retryAfter: 30 },
    );
  });

  it('a long-poll held for its wait polls again; one answered at once switches to backoff', () => {
    const held = transition(waitingLongPoll, statusEvent({ status: 'downloading' }, LONG_POLL_HONOURED_AFTER_MS));
    expect(held).toMatchObject({ kind: 'waiting', status: 'downloading', poll: { mode: 'long_poll', round: 1 } });
    const atOnce = transition(waitingLongPoll, statusEvent({ status: 'queued' }, 40));
    expect(atOnce).toMatchObject({ kind: 'waiting', poll: { mode: 'backoff', polls: 0 } });
    expect(transition(waitingLongPoll, { type: 'request_failed', code: 'network', transient: true, at: 1 })).toMatchObject({
      poll: { mode: 'backoff', polls: 0 },
    });
  });

  it('long-poll rounds are counted too: a recording that never settles times out', () => {
    const lastRound: PlayerState = { ...waitingLongPoll, poll: { mode: 'long_poll', round: MAX_LONG_POLL_ROUNDS - 1 } };
    const held = LONG_POLL_WAIT_SECONDS * 1000;
    expect(transition(lastRound, statusEvent({ status: 'queued' }, held))).toMatchObject({
      kind: 'failed',
      reason: 'timed_out',
    });
  });

  it('backoff polls are counted and the fifth without a final status times out', () => {
    expect(transition(waitingBackoff(0), statusEvent({ status: 'queued' }))).toMatchObject({
      poll: { mode: 'backoff', polls: 1 },
    });
    expect(transition(waitingBackoff(4), statusEvent({ status: 'queued' }))).toMatchObject({
      kind: 'failed',
      reason: 'timed_out',
      retryable: true,
    });
    expect(transition(waitingBackoff(4), { type: 'request_failed', code: 'network', transient: true, at: 1 })).toMatchObject({
      kind: 'failed',
      reason: 'timed_out',
    });
  });

  it('keeps why the worker is retrying, when its next attempt is due, and whether downloads are paused', () => {
    const held = LONG_POLL_WAIT_SECONDS * 1000;
    const retrying = transition(
      waitingLongPoll,
      statusEvent({ status: 'queued', error: 'provider_unavailable', fail_count: 2, retry_after: 4, next_attempt_at: '2026-11-22T10:00:05Z' }, held),
    );
    expect(retrying).toMatchObject({ error: 'provider_unavailable', paused: false, nextAttemptAt: Date.parse('2026-11-22T10:00:05Z') });

    // Without next_attempt_at, retry_after counts from the answer (at = 5 000 ms).
    const fromRetryAfter = transition(waitingLongPoll, statusEvent({ status: 'queued', error: 'timeout', retry_after: 12 }, held));
    expect(fromRetryAfter).toMatchObject({ error: 'timeout', nextAttemptAt: 17_000 });

    // The 202 of the explicit request already tells: paused, nothing failed, no attempt scheduled.
    expect(transition(checkingEnqueue, statusEvent({ status: 'queued', paused: true }))).toMatchObject({
      kind: 'waiting',
      error: null,
      paused: true,
      nextAttemptAt: null,
    });

    // Resumed and downloading: the reason and the schedule are gone.
    expect(transition(retrying, statusEvent({ status: 'downloading', retry_after: 3 }, held))).toMatchObject({
      error: null,
      paused: false,
      nextAttemptAt: null,
    });
  });

  it('waiting ends on ready or failed', () => {
    expect(transition(waitingBackoff(2), statusEvent({ status: 'ready' }))).toMatchObject({ kind: 'ready', autoplay: true });
    expect(transition(waitingLongPoll, statusEvent({ status: 'failed', error: 'worker_lost' }))).toMatchObject({
      kind: 'failed',
      reason: 'worker_lost',
    });
  });

  it('ready without a URL reads the status once more, and only once', () => {
    const refresh = transition(waitingLongPoll, statusEvent({ status: 'ready', stream_url: null }));
    expect(refresh).toMatchObject({ kind: 'checking', step: 'refresh' });
    expect(transition(refresh, statusEvent({ status: 'ready', stream_url: null }))).toMatchObject({ kind: 'failed' });
  });

  it('a server failing over while checking is asked again after the backoff, then fails retryable', () => {
    let state: PlayerState = checkingEnqueue;
    for (let outage = 1; outage <= BACKOFF_SECONDS.length; outage++) {
      state = transition(state, { type: 'request_failed', code: 'database_unavailable', transient: true, at: 1 });
      expect(state).toMatchObject({ kind: 'checking', step: 'enqueue', outages: outage });
      expect(requestFor(state)).toMatchObject({ kind: 'enqueue', delayMs: BACKOFF_SECONDS[outage - 1] * 1000 });
    }
    expect(transition(state, { type: 'request_failed', code: 'database_unavailable', transient: true, at: 1 })).toMatchObject({
      kind: 'failed',
      reason: 'database_unavailable',
      retryable: true,
    });
    expect(transition(checkingStatus, { type: 'request_failed', code: 'forbidden', transient: false, at: 1 })).toMatchObject({
      kind: 'failed',
    });
    const recovered = transition(transition(checkingEnqueue, { type: 'request_failed', code: 'network', transient: true, at: 1 }),
      statusEvent({ status: 'queued' }));
    expect(recovered).toMatchObject({ kind: 'waiting' });
  });

  it('Play and Pause while checking or waiting only change autoplay', () => {
    const pausedWait = transition(waitingLongPoll, { type: 'pause' });
    expect(pausedWait).toEqual({ ...waitingLongPoll, autoplay: false });
    expect(requestFor(pausedWait)).toEqual(requestFor(waitingLongPoll));
    expect(transition(pausedWait, { type: 'play' })).toEqual(waitingLongPoll);
    expect(transition(checkingStatus, { type: 'play' })).toBe(checkingStatus);
    expect(transition(ready, { type: 'pause' })).toEqual({ ...ready, autoplay: false });
  });

  it('the media element drives playing and paused', () => {
    expect(transition(ready, { type: 'media_playing' })).toEqual(playing);
    expect(transition(playing, { type: 'media_paused' })).toEqual(paused);
    expect(transition(paused, { type: 'media_playing' })).toEqual(playing);
    expect(transition(playing, { type: 'media_error' })).toMatchObject({ kind: 'failed', reason: 'media_error' });
  });

  it('Retry starts over with the explicit request, only when retryable', () => {
    expect(transition(failedRetryable, { type: 'retry' })).toEqual({
      kind: 'checking',
      call: A,
      attempt: 2,
      step: 'enqueue',
      autoplay: true,
    });
    expect(transition(failedGone, { type: 'retry' })).toBe(failedGone);
  });

  it('selecting another call leaves any state for idle; the same call is a no-op', () => {
    const B = call(CALL_B);
    for (const state of [checkingStatus, waitingLongPoll, ready, playing, paused, failedGone]) {
      expect(transition(state, { type: 'select', call: B })).toEqual({ kind: 'idle', call: B, attempt: 0 });
      expect(transition(state, { type: 'select', call: A })).toBe(state);
    }
  });

  it('ignores events that do not belong to a state', () => {
    const ignored: Array<[PlayerState, PlayerEvent]> = [
      [initialState, statusEvent({ status: 'ready' })],
      [idle, { type: 'stream_ready' }],
      [idle, { type: 'media_playing' }],
      [checkingStatus, { type: 'stream_ready' }],
      [checkingStatus, { type: 'media_playing' }],
      [checkingStatus, { type: 'retry' }],
      [waitingLongPoll, { type: 'media_error' }],
      [waitingLongPoll, { type: 'retry' }],
      [ready, statusEvent({ status: 'failed', error: 'timeout' })],
      [ready, { type: 'request_failed', code: 'network', transient: true, at: 1 }],
      [ready, { type: 'media_paused' }],
      [playing, { type: 'play' }],
      [playing, statusEvent({ status: 'queued' })],
      [paused, { type: 'pause' }],
      [failedRetryable, { type: 'play' }],
      [failedRetryable, { type: 'pause' }],
      [failedRetryable, statusEvent({ status: 'ready' })],
      [failedRetryable, { type: 'media_playing' }],
    ];
    for (const [state, event] of ignored) {
      expect(transition(state, event), `${state.kind} + ${event.type}`).toBe(state);
    }
  });

  it('reset forgets the call', () => {
    expect(transition(playing, { type: 'reset' })).toEqual(initialState);
  });
});

describe('live stream', () => {
  it('a live stream URL starts the audio at once, from the status read, the 202 or a long-poll answered early', () => {
    for (const state of [checkingStatus, checkingEnqueue, waitingLongPoll, waitingBackoff(3)]) {
      expect(transition(state, statusEvent(downloadingLive, 80)), state.kind).toEqual({
        kind: 'ready',
        call: A,
        attempt: 1,
        media: { streamUrl: LIVE_URL, contentType: null },
        autoplay: true,
        live: liveDownload,
      });
    }
    // Paused while waiting: the live stream is loaded, not started.
    expect(transition({ ...waitingLongPoll, autoplay: false }, statusEvent(downloadingLive))).toMatchObject({ kind: 'ready', autoplay: false });
  });

  it('ready keeps the src the element plays; failed fails; a retry scheduled waits for the stored file', () => {
    const ready = transition(livePlaying, statusEvent({ status: 'ready' }, 3_000));
    expect(ready).toEqual({ ...livePlaying, media: { streamUrl: LIVE_URL, contentType: 'audio/mpeg' }, live: null });
    expect(requestFor(ready)).toBeNull();

    expect(transition(livePlaying, statusEvent({ status: 'failed', error: 'invalid_media', retry_after: 90 }))).toEqual({
      kind: 'failed', call: A, attempt: 1, reason: 'invalid_media', retryable: true, retryAfter: 90,
    });

    const retrying = transition(livePlaying, statusEvent({ status: 'queued', error: 'invalid_media', retry_after: 5 }, 0, 61));
    expect(retrying).toMatchObject({ kind: 'waiting', resumeAt: 61, error: 'invalid_media', autoplay: true, poll: { mode: 'long_poll', round: 0 } });
    expect(requestFor(retrying)).toMatchObject({ kind: 'long_poll', live: false });

    // Downloading again, after one more failure: the retry's bytes are not the stream's.
    const held = LONG_POLL_WAIT_SECONDS * 1000;
    expect(transition(livePlaying, statusEvent({ ...downloadingLive, fail_count: 1, error: 'invalid_media' }, held, 61))).toMatchObject({
      kind: 'waiting',
      status: 'downloading',
      resumeAt: 61,
      error: 'invalid_media',
    });
  });

  it('follows the download with counted rounds; when they run out it stops asking and the audio goes on', () => {
    const held = LONG_POLL_WAIT_SECONDS * 1000;
    const next = transition(livePlaying, statusEvent({ ...downloadingLive, progress: { bytes: 9_000_000, total: 57_600_000 } }, held));
    expect(next).toMatchObject({ kind: 'playing', live: { progress: { bytes: 9_000_000 }, poll: { mode: 'long_poll', round: 1 } } });
    expect(transition(livePlaying, statusEvent(downloadingLive, 40))).toMatchObject({ live: { poll: { mode: 'backoff', polls: 0 } } });

    const lastRound: PlayerState = { ...livePlaying, live: { ...liveDownload, poll: { mode: 'long_poll', round: MAX_LONG_POLL_ROUNDS - 1 } } };
    const done = transition(lastRound, statusEvent(downloadingLive, held));
    expect(done).toMatchObject({ kind: 'playing', live: { poll: null } });
    expect(requestFor(done)).toBeNull();
    const lastPoll: PlayerState = { ...livePlaying, live: { ...liveDownload, poll: { mode: 'backoff', polls: 4 } } };
    expect(transition(lastPoll, { type: 'request_failed', code: 'network', transient: true, at: 1 })).toMatchObject({
      kind: 'playing',
      live: { poll: null },
    });
  });

  it('an audio error while live reads the status once, then resumes at the position, fails, or waits', () => {
    const resume = transition(livePlaying, { type: 'media_error', position: 42 });
    expect(resume).toEqual({ kind: 'checking', call: A, attempt: 1, step: 'resume', autoplay: true, resumeAt: 42 });
    expect(requestFor(resume)).toMatchObject({ kind: 'status', callSid: CALL_A });
    const pausedLive: PlayerState = { ...livePlaying, kind: 'paused' };
    expect(transition(pausedLive, { type: 'media_error', position: 42 })).toMatchObject({ step: 'resume', autoplay: false });

    expect(transition(resume, statusEvent({ status: 'ready' }))).toMatchObject({
      kind: 'ready',
      live: null,
      media: { streamUrl: `/api/recordings/${CALL_A}/stream?token=1.9999999999.signature`, startAt: 42 },
    });
    expect(transition(resume, statusEvent({ status: 'failed', error: 'timeout' }))).toMatchObject({ kind: 'failed', reason: 'timeout' });
    // Still downloading: the live stream is not taken again, the stored file is awaited.
    expect(transition(resume, statusEvent(downloadingLive))).toMatchObject({ kind: 'waiting', resumeAt: 42 });
    expect(transition(resume, statusEvent({ status: 'missing' }))).toMatchObject({ kind: 'checking', step: 'enqueue', resumeAt: 42 });
  });

  it('the player asks live=true while it waits, not while the audio plays live nor after a live stream broke', () => {
    expect(requestFor(waitingLongPoll)).toMatchObject({ kind: 'long_poll', live: true });
    expect(requestFor({ ...waitingLongPoll, resumeAt: 10 })).toMatchObject({ kind: 'long_poll', live: false });
    const request = requestFor(livePlaying);
    expect(request).toMatchObject({ kind: 'long_poll', live: false, waitSeconds: LONG_POLL_WAIT_SECONDS });
    // The key does not name the media state: Play and Pause leave the long-poll in flight.
    expect(requestFor({ ...livePlaying, kind: 'paused' })?.key).toBe(request?.key);
    expect(requestFor({ ...livePlaying, kind: 'ready', autoplay: true })?.key).toBe(request?.key);
    expect(requestFor(transition(livePlaying, { type: 'media_paused' }))?.key).toBe(request?.key);
  });

  it('the row shows downloading while the audio plays live', () => {
    expect(observedStatus(livePlaying)).toBe('downloading');
  });
});

describe('requestFor', () => {
  it('asks for at most one request per state, keyed so that a new key means a new request', () => {
    expect(requestFor(idle)).toBeNull();
    expect(requestFor(ready)).toBeNull();
    expect(requestFor(playing)).toBeNull();
    expect(requestFor(failedRetryable)).toBeNull();
    expect(requestFor(checkingStatus)).toMatchObject({ kind: 'status', callSid: CALL_A });
    expect(requestFor(checkingEnqueue)).toMatchObject({ kind: 'enqueue' });
    expect(requestFor(waitingLongPoll)).toMatchObject({ kind: 'long_poll', waitSeconds: LONG_POLL_WAIT_SECONDS });
    expect(requestFor(waitingBackoff(1))).toMatchObject({ kind: 'poll', delayMs: 5_000 });
    expect(requestFor(waitingBackoff(1))?.key).not.toBe(requestFor(waitingBackoff(2))?.key);
  });
});

describe('backoff', () => {
  it('follows 3, 5, 8, 12, 20 s unless retry_after is larger', () => {
    expect(BACKOFF_SECONDS.map((_, polls) => pollDelaySeconds(polls, null))).toEqual([3, 5, 8, 12, 20]);
    expect(pollDelaySeconds(0, 10)).toBe(10);
    expect(pollDelaySeconds(4, 10)).toBe(20);
  });

  it('everything is retryable except what cannot come back', () => {
    expect(isRetryable('provider_rate_limited')).toBe(true);
    expect(isRetryable('timeout')).toBe(true);
    expect(isRetryable('provider_not_found')).toBe(false);
  });

  it('observedStatus mirrors what the player saw for the table badge', () => {
    expect(observedStatus(playing)).toBe('ready');
    expect(observedStatus(waitingLongPoll)).toBe('queued');
    expect(observedStatus(failedGone)).toBe('failed');
    expect(observedStatus(checkingStatus)).toBeNull();
  });
});
