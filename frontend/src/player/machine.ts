// The audio player's request state as an explicit state machine: pure data and pure functions, no
// timers, no fetch, no DOM. The controller (controller.ts) performs what `requestFor` says.
//
//   idle(call) --play--> checking:status --not ready--> checking:enqueue --202--> waiting:long_poll
//                          | ready -> ready              | 200 -> checking:refresh -> ready
//                          | failed -> failed            | 503 / 410 -> failed
//   checking:* --5xx without a status, network error--> the same step again after 3, 5, 8, 12, 20 s
//              (the servers are failing over or restarting), then failed(retryable)
//   waiting:long_poll --held for its wait, not final--> waiting:long_poll (next round)
//                     --answered at once / network error--> waiting:backoff (3, 5, 8, 12, 20 s)
//   waiting:* --ready--> ready --media play--> playing <--media pause / play--> paused
//   waiting:* --failed--> failed;   waiting:backoff --5th poll not final--> failed(timed_out)
//   checking:* / waiting:* --live_stream_url--> ready (live) --media play--> playing (live) ...
//   ready/playing/paused (live) --ready--> the same state, not live (the element keeps its src)
//                               --failed--> failed;  --queued (retry scheduled)--> waiting
//                               --media error--> checking:resume --ready--> ready at the position
//   failed(retryable) --retry--> checking:enqueue;   any --select(other call)--> idle(other call)
//
// Why loops cannot happen: a request is started only when the state asks for one (`requestFor`), and
// every state asks for at most one. Each answer moves the machine forward (one more long-poll round or
// one more backoff poll), and both are counted: at most 12 rounds (5 minutes), at most 5 polls. Play and Pause never start a request:
// while checking or waiting they only decide whether the audio starts by itself once it is ready
// (`autoplay`). So Play/Pause/Play pressed quickly costs nothing, and the Play of an idle call is the
// only way into the request chain, together with Retry.
//
// Live: once the status carries `live_stream_url`, the audio plays the bytes received so far while the
// download goes on, and the player follows the download with the same counted long-poll (without
// `live`, which would answer at once) until it is ready or failed. The live stream is taken at most
// once per attempt: after it broke, the player waits for the stored file and resumes where it stopped,
// so an element that keeps failing cannot turn into a request loop.

import type { RecordingStatus } from '../api';
import {
  BACKOFF_SECONDS,
  LONG_POLL_HONOURED_AFTER_MS,
  LONG_POLL_WAIT_SECONDS,
  MAX_LONG_POLL_ROUNDS,
  MAX_POLLS,
  NOT_FOUND_AT_PROVIDER,
  TIMED_OUT,
  initialState,
  isLive,
  isMedia,
  type ControlRequest,
  type LiveDownload,
  type MediaSource,
  type MediaState,
  type PlayerEvent,
  type PlayerState,
  type PollPlan,
} from './state';

/** Failures that a Retry cannot fix: gone at the provider, or the call has no recording (404). */
const TERMINAL_REASONS: ReadonlySet<string> = new Set([NOT_FOUND_AT_PROVIDER, 'no_recording', 'not_found']);

export function isRetryable(reason: string): boolean {
  return !TERMINAL_REASONS.has(reason);
}

/** Seconds before backoff poll number `polls` (0-based): the backoff step, or a larger retry_after. */
export function pollDelaySeconds(polls: number, retryAfter: number | null): number {
  const step = BACKOFF_SECONDS[Math.min(polls, BACKOFF_SECONDS.length - 1)];
  return Math.max(step, retryAfter ?? 0);
}

export function requestFor(state: PlayerState): ControlRequest | null {
  if (isMedia(state)) return state.live?.poll ? pollRequest(state, state.live.poll, 'live:', false) : null;
  if (state.kind !== 'checking' && state.kind !== 'waiting') return null;
  const callSid = state.call.call_sid;
  if (state.kind === 'checking') {
    const kind = state.step === 'enqueue' ? 'enqueue' : 'status';
    const outages = state.outages ?? 0;
    if (outages === 0) return { kind, key: `${callSid}#${state.attempt}:${state.step}`, callSid };
    return {
      kind,
      key: `${callSid}#${state.attempt}:${state.step}:outage:${outages}`,
      callSid,
      delayMs: pollDelaySeconds(outages - 1, null) * 1000,
    };
  }
  return pollRequest(state, state.poll, '', state.resumeAt === undefined);
}

/**
 * The long-poll or backoff poll of a plan. Keys do not name the media state, so Play and Pause during
 * a live download leave its long-poll alone.
 */
function pollRequest(
  state: Exclude<PlayerState, { kind: 'idle' }>,
  poll: PollPlan,
  scope: string,
  live: boolean,
): ControlRequest {
  const callSid = state.call.call_sid;
  const prefix = `${callSid}#${state.attempt}:${scope}`;
  if (poll.mode === 'long_poll') {
    return { kind: 'long_poll', key: `${prefix}long_poll:${poll.round}`, callSid, waitSeconds: LONG_POLL_WAIT_SECONDS, live };
  }
  const retryAfter = state.kind === 'waiting' ? state.retryAfter : null;
  return { kind: 'poll', key: `${prefix}poll:${poll.polls}`, callSid, delayMs: pollDelaySeconds(poll.polls, retryAfter) * 1000 };
}

export function transition(state: PlayerState, event: PlayerEvent): PlayerState {
  switch (event.type) {
    case 'select':
      if (state.call?.call_sid === event.call.call_sid) return state;
      return { kind: 'idle', call: event.call, attempt: 0 };
    case 'reset':
      return state.kind === 'idle' && state.call === null ? state : initialState;
    case 'play':
      return onPlay(state);
    case 'pause':
      return onPause(state);
    case 'retry':
      if (state.kind !== 'failed' || !state.retryable) return state;
      return { kind: 'checking', call: state.call, attempt: state.attempt + 1, step: 'enqueue', autoplay: true };
    case 'status':
      if (isLive(state)) return onLiveStatus(state, event.status, event.at, event.elapsedMs, event.position ?? 0);
      return onStatus(state, event.status, event.at, event.elapsedMs);
    case 'stream_ready':
      if (state.kind !== 'checking' || state.step !== 'enqueue') return state;
      return { ...state, step: 'refresh' };
    case 'stream_refused': {
      if (state.kind !== 'checking' || state.step !== 'enqueue') return state;
      const gone = event.httpStatus === 410;
      const reason = event.status.error ?? (gone ? NOT_FOUND_AT_PROVIDER : 'provider_unavailable');
      return failed(state, reason, event.status.retry_after, !gone && isRetryable(reason));
    }
    case 'request_failed':
      return onRequestFailed(state, event.code, event.transient);
    case 'media_playing':
      if (state.kind !== 'ready' && state.kind !== 'paused') return state;
      return { kind: 'playing', call: state.call, attempt: state.attempt, media: state.media, live: state.live };
    case 'media_paused':
      if (state.kind !== 'playing') return state;
      return { kind: 'paused', call: state.call, attempt: state.attempt, media: state.media, live: state.live };
    case 'media_error':
      if (!isMedia(state)) return state;
      if (state.live) {
        // The live stream broke (the download failed, or the connection did): the status, once, says
        // which, and where to go from here.
        const autoplay = state.kind === 'ready' ? state.autoplay : state.kind === 'playing';
        return { kind: 'checking', call: state.call, attempt: state.attempt, step: 'resume', autoplay, resumeAt: event.position ?? 0 };
      }
      return failed(state, 'media_error', null, true);
  }
}

function onPlay(state: PlayerState): PlayerState {
  switch (state.kind) {
    case 'idle':
      if (state.call === null) return state;
      return { kind: 'checking', call: state.call, attempt: state.attempt + 1, step: 'status', autoplay: true };
    case 'checking':
    case 'waiting':
    case 'ready':
      return state.autoplay ? state : { ...state, autoplay: true };
    default:
      // playing: nothing to do; paused: the media element is asked to play and its event moves the
      // machine; failed: only Retry starts over.
      return state;
  }
}

function onPause(state: PlayerState): PlayerState {
  if (state.kind === 'checking' || state.kind === 'waiting' || state.kind === 'ready') {
    // The request in flight goes on (aborting it would only cost a new one on the next Play); the
    // audio just will not start by itself when it is ready.
    return state.autoplay ? { ...state, autoplay: false } : state;
  }
  return state;
}

function onStatus(state: PlayerState, status: RecordingStatus, at: number, elapsedMs: number): PlayerState {
  if (state.kind !== 'checking' && state.kind !== 'waiting') return state;
  if (status.status === 'ready') {
    if (status.stream_url) {
      const media: MediaSource = { streamUrl: status.stream_url, contentType: status.content_type };
      if (state.resumeAt) media.startAt = state.resumeAt;
      return { kind: 'ready', call: state.call, attempt: state.attempt, media, autoplay: state.autoplay, live: null };
    }
    if (state.kind === 'checking' && state.step === 'refresh') {
      return failed(state, 'missing_stream_url', null, true);
    }
    return { kind: 'checking', call: state.call, attempt: state.attempt, step: 'refresh', autoplay: state.autoplay };
  }
  if (status.status === 'failed') {
    const reason = status.error ?? 'unknown';
    return failed(state, reason, status.retry_after, isRetryable(reason));
  }
  if (status.live_stream_url && state.resumeAt === undefined) {
    const media = { streamUrl: status.live_stream_url, contentType: status.content_type };
    const live: LiveDownload = {
      progress: status.progress ?? { bytes: 0, total: null },
      failCount: status.fail_count,
      poll: { mode: 'long_poll', round: 0 },
    };
    return { kind: 'ready', call: state.call, attempt: state.attempt, media, autoplay: state.autoplay, live };
  }
  if (state.kind === 'checking') {
    if (state.step === 'status' || (state.step === 'resume' && status.status === 'missing')) return { ...state, step: 'enqueue' };
    return waiting(state, status, at, { mode: 'long_poll', round: 0 });
  }
  const observed = {
    status: status.status,
    progress: status.progress ?? state.progress,
    retryAfter: status.retry_after,
    ...attemptOf(status, at),
  };
  if (state.poll.mode === 'long_poll') {
    if (elapsedMs < LONG_POLL_HONOURED_AFTER_MS) return { ...state, ...observed, poll: { mode: 'backoff', polls: 0 } };
    const round = state.poll.round + 1;
    if (round >= MAX_LONG_POLL_ROUNDS) return failed(state, TIMED_OUT, null, true);
    return { ...state, ...observed, poll: { mode: 'long_poll', round } };
  }
  return countPoll({ ...state, ...observed }, state.poll.polls);
}

/**
 * An answer while the audio plays a live download. Ready: the same element goes on (the live URL serves
 * the stored file too, and a new src would restart it). Failed: shown as any failure. Queued or missing:
 * the download stopped without the file (a retry is scheduled): the player waits for the stored file,
 * to resume where the audio was; so does a larger `fail_count` (the stream's download failed and a
 * retry already runs: its bytes are not the stream's). Still downloading: the next long-poll round;
 * when the rounds or polls run out, the player stops asking and the audio carries on by itself.
 */
function onLiveStatus(
  state: MediaState & { live: LiveDownload },
  status: RecordingStatus,
  at: number,
  elapsedMs: number,
  position: number,
): PlayerState {
  if (status.status === 'ready') {
    return { ...state, media: { ...state.media, contentType: status.content_type ?? state.media.contentType }, live: null };
  }
  if (status.status === 'failed') {
    const reason = status.error ?? 'unknown';
    return failed(state, reason, status.retry_after, isRetryable(reason));
  }
  const autoplay = state.kind === 'ready' ? state.autoplay : state.kind === 'playing';
  if (status.status !== 'downloading' || status.fail_count > state.live.failCount) {
    const checking = { kind: 'checking', call: state.call, attempt: state.attempt, step: 'resume', autoplay, resumeAt: position } as const;
    if (status.status === 'missing') return { ...checking, step: 'enqueue' };
    return waiting(checking, status, at, { mode: 'long_poll', round: 0 });
  }
  const progress = status.progress ?? state.live.progress;
  return { ...state, live: { ...state.live, progress, poll: nextLivePoll(state.live.poll, elapsedMs) } };
}

function nextLivePoll(poll: PollPlan | null, elapsedMs: number): PollPlan | null {
  if (poll === null) return null;
  if (poll.mode === 'long_poll') {
    if (elapsedMs < LONG_POLL_HONOURED_AFTER_MS) return { mode: 'backoff', polls: 0 };
    const round = poll.round + 1;
    return round >= MAX_LONG_POLL_ROUNDS ? null : { mode: 'long_poll', round };
  }
  const polls = poll.polls + 1;
  return polls >= MAX_POLLS ? null : { mode: 'backoff', polls };
}

function onRequestFailed(state: PlayerState, code: string, transient: boolean): PlayerState {
  if (isLive(state)) {
    // The audio does not depend on the control requests: a refused one only ends the asking.
    const poll = !transient || state.live.poll === null ? null
      : state.live.poll.mode === 'long_poll' ? { mode: 'backoff', polls: 0 } as const
      : nextLivePoll(state.live.poll, 0);
    return { ...state, live: { ...state.live, poll } };
  }
  if (state.kind === 'checking') {
    // A server failing over answers 503 for seconds: ask again, as a backoff poll would, before giving up.
    const outages = (state.outages ?? 0) + 1;
    if (transient && outages <= MAX_POLLS) return { ...state, outages };
    return failed(state, code, null, isRetryable(code));
  }
  if (state.kind !== 'waiting') return state;
  if (!transient) return failed(state, code, null, isRetryable(code));
  if (state.poll.mode === 'long_poll') return { ...state, poll: { mode: 'backoff', polls: 0 } };
  return countPoll(state, state.poll.polls);
}

/** One more backoff poll answered without a final status: poll again, or give up after the last. */
function countPoll(state: Extract<PlayerState, { kind: 'waiting' }>, pollsBefore: number): PlayerState {
  const polls = pollsBefore + 1;
  if (polls >= MAX_POLLS) return failed(state, TIMED_OUT, null, true);
  return { ...state, poll: { mode: 'backoff', polls } };
}

function waiting(
  state: Extract<PlayerState, { kind: 'checking' }>,
  status: RecordingStatus,
  at: number,
  poll: PollPlan,
): PlayerState {
  return {
    kind: 'waiting',
    call: state.call,
    attempt: state.attempt,
    autoplay: state.autoplay,
    ...(state.resumeAt === undefined ? {} : { resumeAt: state.resumeAt }),
    since: at,
    status: status.status,
    progress: status.progress ?? { bytes: 0, total: null },
    retryAfter: status.retry_after,
    ...attemptOf(status, at),
    poll,
  };
}

/**
 * What the status says of the worker's attempts: the reason of a failure being retried, and when the
 * next attempt is due (`next_attempt_at`, else `retry_after` from the moment of the answer); paused.
 */
function attemptOf(status: RecordingStatus, at: number): { error: string | null; paused: boolean; nextAttemptAt: number | null } {
  const error = status.error ?? null;
  let nextAttemptAt: number | null = null;
  if (error) {
    const scheduled = status.next_attempt_at ? Date.parse(status.next_attempt_at) : Number.NaN;
    if (Number.isFinite(scheduled)) nextAttemptAt = scheduled;
    else if (status.retry_after !== null && status.retry_after !== undefined) nextAttemptAt = at + status.retry_after * 1000;
  }
  return { error, paused: status.paused === true, nextAttemptAt };
}

function failed(
  state: Exclude<PlayerState, { kind: 'idle' }>,
  reason: string,
  retryAfter: number | null,
  retryable: boolean,
): PlayerState {
  return { kind: 'failed', call: state.call, attempt: state.attempt, reason, retryable, retryAfter };
}
