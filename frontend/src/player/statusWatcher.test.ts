// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { createApi } from '../api';
import { CALL_A, CALL_B, call, fakeServer, flush, status } from '../test/fakeServer';
import { PlaybackController } from './controller';
import { LONG_POLL_WAIT_SECONDS, MAX_LONG_POLL_ROUNDS } from './state';
import { MAX_WATCHED_CALLS, StatusWatcher } from './statusWatcher';

const CALL_C = 'CA' + 'c'.repeat(32);
const CALL_D = 'CA' + 'd'.repeat(32);
const CALL_E = 'CA' + 'e'.repeat(32);
/** The watcher's long-poll: it waits for ready or failed only. */
const longPollOf = (callSid: string) => `/api/recordings/${callSid}/status?wait=${LONG_POLL_WAIT_SECONDS}`;
/** The player's long-poll also answers when a live stream can start. */
const playerLongPollOf = (callSid: string) => `${longPollOf(callSid)}&live=true`;

/** A player and a watcher fed every state of it, as the calls page wires them. */
function setup() {
  const server = fakeServer();
  const api = createApi({ fetch: server.fetch, getToken: () => 'jwt' });
  const controller = new PlaybackController({ api });
  const watcher = new StatusWatcher({ api });
  controller.subscribe(() => watcher.observePlayer(controller.getState()));
  const about = (callSid: string) => server.requests.filter((r) => r.url.includes(callSid));
  const open = () => server.requests.filter((r) => !r.settled);
  return { server, controller, watcher, about, open };
}

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
}

/** Play a cold call until the player long-polls it (queued). */
async function playUntilQueued(ctx: ReturnType<typeof setup>, callSid: string) {
  ctx.controller.playCall(call(callSid));
  ctx.server.last().respond(200, status(callSid, { status: 'missing' }));
  await flush();
  ctx.server.last().respond(202, status(callSid, { status: 'queued' }));
  await flush();
  expect(ctx.server.last().url).toBe(playerLongPollOf(callSid));
}

describe('StatusWatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('follows a queued call the player left until it is ready, then asks nothing more', async () => {
    const ctx = setup();
    await playUntilQueued(ctx, CALL_A);
    expect(ctx.watcher.getSnapshot()[CALL_A]).toBe('queued');

    ctx.controller.playCall(call(CALL_B));
    await flush();
    expect(ctx.watcher.watched()).toEqual([CALL_A]);
    const watchA = ctx.about(CALL_A).filter((r) => !r.settled);
    expect(watchA.map((r) => r.url)).toEqual([longPollOf(CALL_A)]);

    await advance(4_000);
    watchA[0].respond(200, status(CALL_A, { status: 'ready' }));
    await flush();
    expect(ctx.watcher.getSnapshot()[CALL_A]).toBe('ready');
    expect(ctx.watcher.watched()).toEqual([]);

    const asked = ctx.about(CALL_A).length;
    await advance(600_000);
    expect(ctx.about(CALL_A)).toHaveLength(asked);
  });

  it('keeps one long-poll in flight per watched call while the server holds each for its wait', async () => {
    const ctx = setup();
    await playUntilQueued(ctx, CALL_A);
    ctx.controller.playCall(call(CALL_B));
    await flush();

    for (const progress of ['queued', 'downloading'] as const) {
      await advance(LONG_POLL_WAIT_SECONDS * 1000);
      const inFlight = ctx.about(CALL_A).filter((r) => !r.settled);
      expect(inFlight).toHaveLength(1);
      inFlight[0].respond(200, status(CALL_A, { status: progress }));
      await flush();
      expect(ctx.watcher.getSnapshot()[CALL_A]).toBe(progress);
    }
    expect(ctx.about(CALL_A).filter((r) => !r.settled)).toHaveLength(1);
  });

  it('gives a watch up after its long-poll rounds', async () => {
    const ctx = setup();
    await playUntilQueued(ctx, CALL_A);
    ctx.controller.playCall(call(CALL_B));
    await flush();
    const before = ctx.about(CALL_A).length;
    for (let round = 0; round < MAX_LONG_POLL_ROUNDS; round++) {
      await advance(LONG_POLL_WAIT_SECONDS * 1000);
      ctx.about(CALL_A).filter((r) => !r.settled)[0].respond(200, status(CALL_A, { status: 'queued' }));
      await flush();
    }
    expect(ctx.watcher.watched()).toEqual([]);
    await advance(600_000);
    // The first round was sent at the switch, before `before` was counted.
    expect(ctx.about(CALL_A)).toHaveLength(before + MAX_LONG_POLL_ROUNDS - 1);
  });

  it('backs off after a failed long-poll (3, 5, 8, 12, 20 s) and stops after five in a row', async () => {
    const ctx = setup();
    await playUntilQueued(ctx, CALL_A);
    ctx.controller.playCall(call(CALL_B));
    await flush();

    const sentAt: number[] = [];
    let clock = 0;
    ctx.about(CALL_A).filter((r) => !r.settled)[0].failNetwork();
    await flush();
    for (const seconds of [3, 5, 8, 12, 20]) {
      const before = ctx.about(CALL_A).length;
      await advance(seconds * 1000 - 1);
      expect(ctx.about(CALL_A)).toHaveLength(before);
      await advance(1);
      clock += seconds;
      sentAt.push(clock);
      const next = ctx.about(CALL_A).filter((r) => !r.settled);
      expect(next.map((r) => r.url)).toEqual([longPollOf(CALL_A)]);
      next[0].respond(503, { error: 'unavailable', message: 'down' });
      await flush();
    }
    expect(sentAt).toEqual([3, 8, 16, 28, 48]);
    expect(ctx.watcher.watched()).toEqual([]);
    const asked = ctx.about(CALL_A).length;
    await advance(600_000);
    expect(ctx.about(CALL_A)).toHaveLength(asked);
  });

  it('watches at most a few calls: the oldest watch is dropped (its request aborted) for a newer one', async () => {
    const ctx = setup();
    const played = [CALL_A, CALL_B, CALL_C, CALL_D, CALL_E];
    for (const callSid of played) await playUntilQueued(ctx, callSid);
    ctx.controller.playCall({ ...call('CA' + 'f'.repeat(32)), recording: null });
    await flush();

    expect(MAX_WATCHED_CALLS).toBe(3);
    expect(ctx.watcher.watched()).toEqual([CALL_C, CALL_D, CALL_E]);
    expect(ctx.about(CALL_A).every((r) => r.settled)).toBe(true);
    expect(ctx.about(CALL_B).every((r) => r.settled)).toBe(true);
    // One request per watched call, plus the player's own.
    expect(ctx.open().length).toBe(MAX_WATCHED_CALLS + 1);
    expect(ctx.server.maxInFlight()).toBeLessThanOrEqual(MAX_WATCHED_CALLS + 1);
  });

  it('hands a call back to the player when it is played again, and watches nothing settled or never asked for', async () => {
    const ctx = setup();
    await playUntilQueued(ctx, CALL_A);
    ctx.controller.playCall(call(CALL_B));
    await flush();
    const watchA = ctx.about(CALL_A).filter((r) => !r.settled)[0];

    ctx.server.last().respond(200, status(CALL_B, { status: 'ready' }));
    await flush();
    ctx.controller.playCall(call(CALL_A));
    await flush();
    expect(watchA.signal.aborted).toBe(true);
    // B was ready when the player left it: nothing to watch.
    expect(ctx.watcher.watched()).toEqual([]);
    expect(ctx.watcher.getSnapshot()[CALL_B]).toBe('ready');

    // Left during its first status read, before any explicit request: nothing was enqueued.
    ctx.controller.playCall(call(CALL_C));
    await flush();
    expect(ctx.watcher.watched()).toEqual([]);
  });

  it('dispose aborts every watch and asks nothing more', async () => {
    const ctx = setup();
    await playUntilQueued(ctx, CALL_A);
    ctx.controller.playCall(call(CALL_B));
    await flush();
    const watchA = ctx.about(CALL_A).filter((r) => !r.settled)[0];
    ctx.watcher.dispose();
    ctx.controller.dispose();
    expect(watchA.signal.aborted).toBe(true);
    const asked = ctx.server.requests.length;
    await advance(600_000);
    expect(ctx.server.requests).toHaveLength(asked);
  });
});
