// Performs what the state machine asks for: one control request at a time, each with its own
// AbortController. A request whose answer arrives after it was superseded (another call selected,
// disposed) is dropped: only the current request's answer becomes an event.

import { ApiError, isAbortError, type Api, type Call, type RecordingStatus } from '../api';
import { requestFor, transition } from './machine';
import { initialState, type ControlRequest, type PlayerEvent, type PlayerState } from './state';

export type PlaybackApi = Pick<Api, 'recordingStatus' | 'requestStream'>;

/** What the controller asks of the <audio> element. */
export interface MediaControl {
  play(): Promise<void> | void;
  pause(): void;
  /** Seconds played: where the stored file resumes when a live stream stops short. */
  readonly currentTime: number;
}

export interface PlaybackControllerOptions {
  api: PlaybackApi;
  now?: () => number;
  /**
   * A long-poll still unanswered this long after its `wait` is treated as a network error (a proxy
   * holding the connection), which moves the player to backoff polling instead of waiting forever.
   */
  longPollGraceMs?: number;
}

interface InFlight {
  request: ControlRequest;
  abort: AbortController;
  timer: ReturnType<typeof setTimeout> | null;
  timedOut: boolean;
}

export class PlaybackController {
  private state: PlayerState = initialState;
  private readonly listeners = new Set<() => void>();
  private inFlight: InFlight | null = null;
  private media: MediaControl | null = null;
  private disposed = false;
  private readonly api: PlaybackApi;
  private readonly now: () => number;
  private readonly longPollGraceMs: number;

  constructor(options: PlaybackControllerOptions) {
    this.api = options.api;
    this.now = options.now ?? (() => Date.now());
    this.longPollGraceMs = options.longPollGraceMs ?? 15_000;
  }

  readonly getState = (): PlayerState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  attachMedia(media: MediaControl | null): void {
    this.media = media;
  }

  /** The row's Play: load the call (a no-op when it is loaded already) and play it. */
  playCall(call: Call): void {
    this.dispatch({ type: 'select', call });
    this.togglePlay('play');
  }

  /** The player's play/pause button and the Space key. */
  togglePlay(only?: 'play' | 'pause'): void {
    const state = this.state;
    const wantsPlay =
      state.kind === 'playing' ? false
      : state.kind === 'checking' || state.kind === 'waiting' || state.kind === 'ready' ? !state.autoplay
      : true;
    if (only && only !== (wantsPlay ? 'play' : 'pause')) return;
    if (!wantsPlay) {
      if (state.kind === 'playing' || state.kind === 'ready') this.media?.pause();
      this.dispatch({ type: 'pause' });
      return;
    }
    this.dispatch({ type: 'play' });
    if (state.kind === 'ready' || state.kind === 'paused') this.startMedia();
  }

  /** Called by the player once the <audio> element has the ready state's src: autoplay, if wanted. */
  mediaReady(): void {
    if (this.state.kind === 'ready' && this.state.autoplay) this.startMedia();
  }

  retry(): void {
    this.dispatch({ type: 'retry' });
  }

  reset(): void {
    this.dispatch({ type: 'reset' });
  }

  mediaPlaying(): void {
    this.dispatch({ type: 'media_playing' });
  }

  mediaPaused(): void {
    this.dispatch({ type: 'media_paused' });
  }

  mediaError(): void {
    this.dispatch({ type: 'media_error', position: this.mediaPosition() });
  }

  /** Unmount: abort the request in flight (or the poll waiting for its timer); nothing more happens. */
  dispose(): void {
    this.disposed = true;
    this.cancelInFlight();
  }

  /** Mounted again after a dispose (StrictMode in development): carry on where the state was. */
  resume(): void {
    if (!this.disposed) return;
    this.disposed = false;
    this.syncRequest();
  }

  /** The one request in flight (or waiting for its backoff timer), for tests and diagnostics. */
  pendingRequest(): ControlRequest | null {
    return this.inFlight?.request ?? null;
  }

  private startMedia(): void {
    const result = this.media?.play();
    // The browser may refuse to start (autoplay policy): the button then simply shows Play again.
    if (result) result.catch(() => this.dispatch({ type: 'pause' }));
  }

  private dispatch(event: PlayerEvent): void {
    if (this.disposed) return;
    const next = transition(this.state, event);
    if (next === this.state) return;
    this.state = next;
    this.syncRequest();
    this.listeners.forEach((listener) => listener());
  }

  /** Start the request the new state needs, unless it is the one already in flight. */
  private syncRequest(): void {
    const request = requestFor(this.state);
    if (request && this.inFlight?.request.key === request.key) return;
    this.cancelInFlight();
    if (request) this.start(request);
  }

  private cancelInFlight(): void {
    const current = this.inFlight;
    if (!current) return;
    this.inFlight = null;
    if (current.timer !== null) clearTimeout(current.timer);
    current.abort.abort();
  }

  private start(request: ControlRequest): void {
    const slot: InFlight = { request, abort: new AbortController(), timer: null, timedOut: false };
    this.inFlight = slot;
    const delayMs = request.kind === 'poll' || request.kind === 'status' || request.kind === 'enqueue' ? request.delayMs : undefined;
    if (delayMs !== undefined) {
      slot.timer = setTimeout(() => {
        slot.timer = null;
        void this.perform(slot);
      }, delayMs);
    } else {
      void this.perform(slot);
    }
  }

  private async perform(slot: InFlight): Promise<void> {
    const { request, abort } = slot;
    const signal = abort.signal;
    const startedAt = this.now();
    let event: PlayerEvent;
    try {
      switch (request.kind) {
        case 'enqueue': {
          const answer = await this.api.requestStream(request.callSid, signal);
          event =
            answer.kind === 'ready' ? { type: 'stream_ready' }
            : answer.kind === 'pending' ? this.statusEvent(answer.status, startedAt)
            : { type: 'stream_refused', httpStatus: answer.kind === 'gone' ? 410 : 503, status: answer.status };
          break;
        }
        case 'long_poll': {
          slot.timer = setTimeout(() => {
            slot.timer = null;
            slot.timedOut = true;
            abort.abort();
          }, request.waitSeconds * 1000 + this.longPollGraceMs);
          const status = await this.api.recordingStatus(
            request.callSid,
            { waitSeconds: request.waitSeconds, live: request.live },
            signal,
          );
          event = this.statusEvent(status, startedAt);
          break;
        }
        case 'status':
        case 'poll':
          event = this.statusEvent(await this.api.recordingStatus(request.callSid, {}, signal), startedAt);
          break;
      }
    } catch (error) {
      if (this.inFlight !== slot) return;
      if (slot.timedOut) {
        event = { type: 'request_failed', code: 'network', transient: true, at: this.now() };
      } else if (isAbortError(error)) {
        return;
      } else if (error instanceof ApiError && error.status === 401) {
        event = { type: 'reset' };
      } else {
        const status = error instanceof ApiError ? error.status : 0;
        const code = error instanceof ApiError ? error.code : 'network';
        event = { type: 'request_failed', code, transient: status === 0 || status >= 500, at: this.now() };
      }
    }
    // Superseded (another call, retry, dispose) or aborted: an old answer never changes the state.
    if (this.inFlight !== slot || (signal.aborted && !slot.timedOut)) return;
    if (slot.timer !== null) clearTimeout(slot.timer);
    this.inFlight = null;
    this.dispatch(event);
  }

  private statusEvent(status: RecordingStatus, startedAt: number): PlayerEvent {
    const at = this.now();
    return { type: 'status', status, at, elapsedMs: at - startedAt, position: this.mediaPosition() };
  }

  private mediaPosition(): number {
    const seconds = this.media?.currentTime ?? 0;
    return Number.isFinite(seconds) ? seconds : 0;
  }
}
