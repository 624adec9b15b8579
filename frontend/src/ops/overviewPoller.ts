// Keeps the operations overview fresh: one request at a time, the next one OVERVIEW_REFRESH_MS after
// the previous answer (so a slow api is never asked twice at once), none while the tab is hidden (one
// at once when it shows again), none after a 403 (the role is missing: asking again will not help).

import { ApiError, isAbortError, type BusinessControl, type OpsOverview } from '../api';

export const OVERVIEW_REFRESH_MS = 5_000;

export type OverviewState =
  | { kind: 'loading' }
  /** The first load failed; the next refresh tries again. */
  | { kind: 'error'; message: string }
  /** refreshError: the last refresh failed, the figures are those of `overview.generated_at`. */
  | { kind: 'loaded'; overview: OpsOverview; refreshError: string | null }
  | { kind: 'forbidden' };

/** Whether the page is shown; `document` by default. */
export interface Visibility {
  hidden(): boolean;
  subscribe(listener: () => void): () => void;
}

export const documentVisibility: Visibility = {
  hidden: () => document.visibilityState === 'hidden',
  subscribe(listener) {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

export interface OverviewPollerOptions {
  load: (signal: AbortSignal) => Promise<OpsOverview>;
  visibility?: Visibility;
  intervalMs?: number;
}

export class OverviewPoller {
  private state: OverviewState = { kind: 'loading' };
  private readonly listeners = new Set<() => void>();
  private readonly load: (signal: AbortSignal) => Promise<OpsOverview>;
  private readonly visibility: Visibility;
  private readonly intervalMs: number;
  private inFlight: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A refresh was asked for while one was in flight: it follows right after. */
  private again = false;
  private running = false;
  private unsubscribeVisibility: (() => void) | null = null;

  constructor(options: OverviewPollerOptions) {
    this.load = options.load;
    this.visibility = options.visibility ?? documentVisibility;
    this.intervalMs = options.intervalMs ?? OVERVIEW_REFRESH_MS;
  }

  readonly getState = (): OverviewState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribeVisibility = this.visibility.subscribe(() => this.visibilityChanged());
    this.refresh();
  }

  stop(): void {
    this.running = false;
    this.unsubscribeVisibility?.();
    this.unsubscribeVisibility = null;
    this.clearTimer();
    this.inFlight?.abort();
    this.inFlight = null;
    this.again = false;
  }

  /** Load now (after an action), or right after the request in flight: never two at once. */
  refresh(): void {
    if (!this.running || this.state.kind === 'forbidden') return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.clearTimer();
    if (this.visibility.hidden()) return;
    const abort = new AbortController();
    this.inFlight = abort;
    this.load(abort.signal).then(
      (overview) => {
        if (this.inFlight !== abort) return;
        this.inFlight = null;
        this.set({ kind: 'loaded', overview, refreshError: null });
        this.scheduleNext();
      },
      (error: unknown) => {
        if (this.inFlight !== abort || isAbortError(error)) return;
        this.inFlight = null;
        if (error instanceof ApiError && error.status === 403) {
          this.set({ kind: 'forbidden' });
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        const state = this.state;
        this.set(state.kind === 'loaded' ? { ...state, refreshError: message } : { kind: 'error', message });
        this.scheduleNext();
      },
    );
  }

  /** An action answered with the business's new entry: show it before the next refresh does. */
  applyBusiness(entry: BusinessControl): void {
    const state = this.state;
    if (state.kind !== 'loaded') return;
    const businesses = state.overview.businesses.map((b) => (b.id === entry.id ? entry : b));
    this.set({ ...state, overview: { ...state.overview, businesses } });
  }

  private scheduleNext(): void {
    if (!this.running) return;
    if (this.again) {
      this.again = false;
      this.refresh();
      return;
    }
    if (this.visibility.hidden()) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, this.intervalMs);
  }

  private visibilityChanged(): void {
    if (!this.running) return;
    if (this.visibility.hidden()) {
      this.clearTimer();
      return;
    }
    if (!this.inFlight && this.timer === null) this.refresh();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private set(state: OverviewState): void {
    this.state = state;
    this.listeners.forEach((listener) => listener());
  }
}
