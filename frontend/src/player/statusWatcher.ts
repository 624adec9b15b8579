// Keeps the badges of the rows the user played honest after the player moved on to another call.
// The player follows only its own call; a call it leaves while the download is under way (queued,
// downloading, or left mid-check when the explicit request may have enqueued it) is handed to this
// watcher, which follows it with the same long-poll the player uses until it settles.
//
// Bounded by construction: only calls the player left unsettled are watched, at most MAX_WATCHED_CALLS
// at a time (the oldest is dropped for a newer one), each with one request in flight, each for at most
// MAX_LONG_POLL_ROUNDS held long-polls, and a long-poll that fails or is not held is retried after the
// player's backoff steps, MAX_POLLS times in a row at most. The call loaded in the player is never
// watched (the player asks about it), and dispose (unmount, sign-out) aborts everything.

import { ApiError, isAbortError, type Api, type RecordingStatusName } from '../api';
import { pollDelaySeconds } from './machine';
import {
  LONG_POLL_HONOURED_AFTER_MS,
  LONG_POLL_WAIT_SECONDS,
  MAX_LONG_POLL_ROUNDS,
  MAX_POLLS,
  isLive,
  observedStatus,
  type PlayerState,
} from './state';

/**
 * With the player's own long-poll, 4 of the 6 connections a browser opens to one origin over HTTP/1.1:
 * the audio's Range requests and the calls list keep theirs.
 */
export const MAX_WATCHED_CALLS = 3;

export type StatusApi = Pick<Api, 'recordingStatus'>;

export interface StatusWatcherOptions {
  api: StatusApi;
  now?: () => number;
  maxWatched?: number;
  /** A long-poll still unanswered this long after its wait counts as failed (a proxy holding it). */
  longPollGraceMs?: number;
}

interface Watch {
  callSid: string;
  abort: AbortController | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** Long-polls the server held for their wait, answered not settled. */
  rounds: number;
  /** Long-polls in a row that failed or came back at once without a settled status. */
  strikes: number;
}

/** Statuses that do not change without a new Play: nothing is under way to watch. */
function atRest(status: RecordingStatusName): boolean {
  return status === 'ready' || status === 'failed' || status === 'missing';
}

export class StatusWatcher {
  private known: Readonly<Record<string, RecordingStatusName>> = {};
  private readonly watches = new Map<string, Watch>();
  private readonly listeners = new Set<() => void>();
  private readonly api: StatusApi;
  private readonly now: () => number;
  private readonly maxWatched: number;
  private readonly longPollGraceMs: number;
  private disposed = false;
  private playerCall: string | null = null;
  /** The last status the player saw for its call during this stay (null: none yet). */
  private playerStatus: RecordingStatusName | null = null;
  /** The player got past its first status read for its call: the explicit request may have been sent. */
  private playerAsked = false;

  constructor(options: StatusWatcherOptions) {
    this.api = options.api;
    this.now = options.now ?? (() => Date.now());
    this.maxWatched = options.maxWatched ?? MAX_WATCHED_CALLS;
    this.longPollGraceMs = options.longPollGraceMs ?? 15_000;
  }

  /** The last status known per call: what the player saw there, or what the watcher learnt since. */
  readonly getSnapshot = (): Readonly<Record<string, RecordingStatusName>> => this.known;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called with every state of the player: notes what it saw, and takes over the call it leaves. */
  observePlayer(state: PlayerState): void {
    const callSid = state.call?.call_sid ?? null;
    const status = observedStatus(state);
    if (callSid !== this.playerCall) {
      const left = this.playerCall;
      const leftStatus = this.playerStatus;
      const leftAsked = this.playerAsked;
      this.playerCall = callSid;
      this.playerStatus = null;
      this.playerAsked = false;
      if (callSid) this.stop(callSid);
      if (left && callSid && leftAsked) this.follow(left, leftStatus);
    }
    if (state.kind === 'waiting' || (state.kind === 'checking' && state.step !== 'status') || isLive(state)) {
      this.playerAsked = true;
    }
    if (callSid && status) {
      this.playerStatus = status;
      this.remember(callSid, status);
    }
  }

  /** The calls list was loaded again: its statuses are fresher than what was remembered. */
  forgetStatuses(): void {
    this.known = {};
    this.emit();
  }

  /** The calls watched now, oldest first (tests and diagnostics). */
  watched(): string[] {
    return [...this.watches.keys()];
  }

  dispose(): void {
    this.disposed = true;
    for (const watch of this.watches.values()) this.cancel(watch);
  }

  /** Mounted again after a dispose (StrictMode in development): the watches carry on. */
  resume(): void {
    if (!this.disposed) return;
    this.disposed = false;
    for (const watch of this.watches.values()) this.longPoll(watch);
  }

  /**
   * status null: the player left mid-check, after its explicit request may have enqueued a download;
   * the first long-poll finds out.
   */
  private follow(callSid: string, status: RecordingStatusName | null): void {
    if (this.disposed || (status !== null && atRest(status))) return;
    if (this.watches.size >= this.maxWatched) {
      const oldest = this.watches.keys().next().value as string;
      this.stop(oldest);
    }
    const watch: Watch = { callSid, abort: null, timer: null, rounds: 0, strikes: 0 };
    this.watches.set(callSid, watch);
    this.longPoll(watch);
  }

  private stop(callSid: string): void {
    const watch = this.watches.get(callSid);
    if (!watch) return;
    this.watches.delete(callSid);
    this.cancel(watch);
  }

  private cancel(watch: Watch): void {
    if (watch.timer !== null) clearTimeout(watch.timer);
    watch.timer = null;
    watch.abort?.abort();
    watch.abort = null;
  }

  private current(watch: Watch): boolean {
    return !this.disposed && this.watches.get(watch.callSid) === watch;
  }

  private longPoll(watch: Watch): void {
    const abort = new AbortController();
    watch.abort = abort;
    let timedOut = false;
    watch.timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, LONG_POLL_WAIT_SECONDS * 1000 + this.longPollGraceMs);
    const startedAt = this.now();
    this.api
      .recordingStatus(watch.callSid, { waitSeconds: LONG_POLL_WAIT_SECONDS }, abort.signal)
      .then(
        (answer) => {
          if (!this.settle(watch, abort)) return;
          this.remember(watch.callSid, answer.status);
          if (atRest(answer.status)) return this.stop(watch.callSid);
          if (this.now() - startedAt >= LONG_POLL_HONOURED_AFTER_MS) {
            watch.strikes = 0;
            watch.rounds += 1;
            if (watch.rounds >= MAX_LONG_POLL_ROUNDS) return this.stop(watch.callSid);
            return this.longPoll(watch);
          }
          this.strike(watch, answer.retry_after);
        },
        (error: unknown) => {
          if (!this.settle(watch, abort)) return;
          if (isAbortError(error) && !timedOut) return;
          const status = error instanceof ApiError ? error.status : 0;
          // A 4xx will not change by asking again (a 401 signs the user out, which disposes this).
          if (status >= 400 && status < 500) return this.stop(watch.callSid);
          this.strike(watch, null);
        },
      );
  }

  /** The answer belongs to the watch's request still: clear its slot. False when it was superseded. */
  private settle(watch: Watch, abort: AbortController): boolean {
    if (!this.current(watch) || watch.abort !== abort) return false;
    if (watch.timer !== null) clearTimeout(watch.timer);
    watch.timer = null;
    watch.abort = null;
    return true;
  }

  /** A failed or not-held long-poll: the next one after the backoff step, or the end of the watch. */
  private strike(watch: Watch, retryAfter: number | null): void {
    watch.strikes += 1;
    if (watch.strikes > MAX_POLLS) return this.stop(watch.callSid);
    watch.timer = setTimeout(() => {
      watch.timer = null;
      if (this.current(watch)) this.longPoll(watch);
    }, pollDelaySeconds(watch.strikes - 1, retryAfter) * 1000);
  }

  private remember(callSid: string, status: RecordingStatusName): void {
    if (this.known[callSid] === status) return;
    this.known = { ...this.known, [callSid]: status };
    this.emit();
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }
}
