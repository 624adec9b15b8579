// The audio player's states, the events that move them and the control requests they ask for, with the
// limits that bound those requests. What moves the player from one state to the next is machine.ts.

import type { Call, DownloadProgress, RecordingStatus, RecordingStatusName } from '../api';

/** `wait` sent with each long-poll of the status. */
export const LONG_POLL_WAIT_SECONDS = 25;
/**
 * A long-poll that answers a non-final status sooner than this was not held by the server (an older api
 * or a proxy that ignores `wait`): from then on the player polls with backoff instead.
 */
export const LONG_POLL_HONOURED_AFTER_MS = (LONG_POLL_WAIT_SECONDS * 1000) / 2;
/** The polling backoff when long-poll is not available; its length is the number of polls. */
export const BACKOFF_SECONDS = [3, 5, 8, 12, 20] as const;
export const MAX_POLLS = BACKOFF_SECONDS.length;
/** Long-poll rounds held by the server before the player gives up (12 x 25 s = 5 minutes). */
export const MAX_LONG_POLL_ROUNDS = 12;

export const NOT_FOUND_AT_PROVIDER = 'provider_not_found';
export const TIMED_OUT = 'timed_out';

export interface MediaSource {
  /** The signed stream URL: given to <audio src> as is, never fetched by script. */
  streamUrl: string;
  contentType: string | null;
  /** Where playback starts (seconds): set when the stored file takes over from a live stream that broke. */
  startAt?: number;
}

/**
 * status: the status read; enqueue: the explicit Play request; refresh: the status again, for the URL;
 * resume: the status read once after the live audio broke.
 */
export type CheckStep = 'status' | 'enqueue' | 'refresh' | 'resume';

export type PollPlan = { mode: 'long_poll'; round: number } | { mode: 'backoff'; polls: number };

/** The download still running under a live stream, followed until the recording is ready or failed. */
export interface LiveDownload {
  progress: DownloadProgress;
  /** `fail_count` when the stream started: a larger one means its download failed (a retry may run now). */
  failCount: number;
  /** How the player asks after the download; null once it stopped asking (the audio goes on by itself). */
  poll: PollPlan | null;
}

/**
 * `attempt` counts the starts (Play from idle, Retry) of the current call; it keys its requests.
 * `resumeAt` (checking, waiting) is set once the live stream of this attempt broke: where the stored file
 * will start, and no live stream is taken again in this attempt.
 * `live` (ready, playing, paused) is set while the audio plays a download still in progress.
 */
export type PlayerState =
  | { kind: 'idle'; call: Call | null; attempt: number }
  | {
      kind: 'checking';
      call: Call;
      attempt: number;
      step: CheckStep;
      autoplay: boolean;
      resumeAt?: number;
      /** Requests of this attempt the server could not answer (5xx, network): each is asked again later. */
      outages?: number;
    }
  | {
      kind: 'waiting';
      call: Call;
      attempt: number;
      autoplay: boolean;
      resumeAt?: number;
      /** When the waiting began (ms since epoch), for the elapsed seconds shown. */
      since: number;
      status: RecordingStatusName;
      progress: DownloadProgress;
      retryAfter: number | null;
      /** Why the last attempt failed, while the worker retries (null: nothing failed). */
      error: string | null;
      /** Downloads of the call's business are paused by an operator. */
      paused: boolean;
      /** When the next attempt is due (ms since epoch), while one is scheduled after a failure. */
      nextAttemptAt: number | null;
      poll: PollPlan;
    }
  | { kind: 'ready'; call: Call; attempt: number; media: MediaSource; autoplay: boolean; live: LiveDownload | null }
  | { kind: 'playing'; call: Call; attempt: number; media: MediaSource; live: LiveDownload | null }
  | { kind: 'paused'; call: Call; attempt: number; media: MediaSource; live: LiveDownload | null }
  | { kind: 'failed'; call: Call; attempt: number; reason: string; retryable: boolean; retryAfter: number | null };

export type PlayerEvent =
  /** Load another call into the player (the row's Play does select, then play). */
  | { type: 'select'; call: Call }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'retry' }
  /**
   * The status JSON answered by the current request: status read, 202 body, long-poll or poll.
   * `position`: the audio's current time then (seconds), kept when a live stream ends without the file.
   */
  | { type: 'status'; status: RecordingStatus; at: number; elapsedMs: number; position?: number }
  /** The explicit request answered 200: stored, but its body carries no URL. */
  | { type: 'stream_ready' }
  /** The explicit request answered 503 (backing off) or 410 (gone), with the status JSON. */
  | { type: 'stream_refused'; httpStatus: 503 | 410; status: RecordingStatus }
  /** The current request failed without a status: network error (transient) or an HTTP error. */
  | { type: 'request_failed'; code: string; transient: boolean; at: number }
  | { type: 'media_playing' }
  | { type: 'media_paused' }
  /** `position`: the audio's current time when it failed (seconds), to resume there. */
  | { type: 'media_error'; position?: number }
  /** Signed out or the session expired: forget the call. */
  | { type: 'reset' };

/** The one control request a state needs; `key` changes exactly when a new request must start. */
export type ControlRequest =
  /** `delayMs`: asked again after the server could not answer (a failover, a restart). */
  | { kind: 'status'; key: string; callSid: string; delayMs?: number }
  | { kind: 'enqueue'; key: string; callSid: string; delayMs?: number }
  /** `live`: also answer as soon as a live stream URL is set. */
  | { kind: 'long_poll'; key: string; callSid: string; waitSeconds: number; live: boolean }
  | { kind: 'poll'; key: string; callSid: string; delayMs: number };

export const initialState: PlayerState = { kind: 'idle', call: null, attempt: 0 };

export type MediaState = Extract<PlayerState, { kind: 'ready' | 'playing' | 'paused' }>;

export function isMedia(state: PlayerState): state is MediaState {
  return state.kind === 'ready' || state.kind === 'playing' || state.kind === 'paused';
}

/** The audio plays a download still in progress. */
export function isLive(state: PlayerState): state is MediaState & { live: LiveDownload } {
  return isMedia(state) && state.live !== null;
}

/** The recording status to show for the loaded call, as the player last saw it. */
export function observedStatus(state: PlayerState): RecordingStatusName | null {
  switch (state.kind) {
    case 'waiting':
      return state.status;
    case 'ready':
    case 'playing':
    case 'paused':
      return state.live ? 'downloading' : 'ready';
    case 'failed':
      return state.reason === TIMED_OUT || state.reason === 'media_error' ? null : 'failed';
    default:
      return null;
  }
}
