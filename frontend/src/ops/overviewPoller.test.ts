// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi } from '../api';
import { fakeServer, flush } from '../test/fakeServer';
import { OVERVIEW_REFRESH_MS, OverviewPoller, type Visibility } from './overviewPoller';
import { overview } from '../test/opsOverview';

function fakeVisibility() {
  let hidden = false;
  const listeners = new Set<() => void>();
  const visibility: Visibility = {
    hidden: () => hidden,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    visibility,
    set(value: boolean) {
      hidden = value;
      listeners.forEach((listener) => listener());
    },
  };
}

function setup() {
  const server = fakeServer();
  const api = createApi({ fetch: server.fetch, getToken: () => 'ops-token' });
  const tab = fakeVisibility();
  const poller = new OverviewPoller({ load: (signal) => api.opsOverview(signal), visibility: tab.visibility });
  return { server, tab, poller };
}

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
}

describe('OverviewPoller', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads at once, then 5 s after each answer, with one request in flight at most', async () => {
    const { server, poller } = setup();
    poller.start();
    expect(server.requests.map((r) => r.url)).toEqual(['/api/ops/overview']);

    // A slow answer: nothing more is asked while it is pending, however long.
    await advance(60_000);
    expect(server.requests).toHaveLength(1);
    server.last().respond(200, overview());
    await flush();
    expect(poller.getState()).toMatchObject({ kind: 'loaded', refreshError: null });

    await advance(OVERVIEW_REFRESH_MS - 1);
    expect(server.requests).toHaveLength(1);
    await advance(1);
    expect(server.requests).toHaveLength(2);
    expect(server.maxInFlight()).toBe(1);
  });

  it('asks nothing while the tab is hidden, and once at once when it shows again', async () => {
    const { server, tab, poller } = setup();
    poller.start();
    server.last().respond(200, overview());
    await flush();

    tab.set(true);
    await advance(120_000);
    expect(server.requests).toHaveLength(1);

    tab.set(false);
    expect(server.requests).toHaveLength(2);
    tab.set(true);
    tab.set(false);
    expect(server.requests).toHaveLength(2);
  });

  it('a refresh asked for during a request follows it, never beside it', async () => {
    const { server, poller } = setup();
    poller.start();
    poller.refresh();
    poller.refresh();
    expect(server.requests).toHaveLength(1);
    server.last().respond(200, overview());
    await flush();
    expect(server.requests).toHaveLength(2);
    expect(server.maxInFlight()).toBe(1);
  });

  it('keeps the last figures when a refresh fails, and tries again 5 s later', async () => {
    const { server, poller } = setup();
    poller.start();
    server.last().respond(200, overview());
    await flush();
    await advance(OVERVIEW_REFRESH_MS);
    server.last().failNetwork();
    await flush();
    const state = poller.getState();
    expect(state.kind === 'loaded' && state.refreshError).toBeTruthy();
    expect(state.kind === 'loaded' && state.overview.queue.waiting).toBe(3);
    await advance(OVERVIEW_REFRESH_MS);
    expect(server.requests).toHaveLength(3);
  });

  it('stops on a 403: the operations role is missing', async () => {
    const { server, poller } = setup();
    poller.start();
    server.last().respond(403, { error: 'forbidden', message: 'the operations role is required' });
    await flush();
    expect(poller.getState()).toEqual({ kind: 'forbidden' });
    poller.refresh();
    await advance(60_000);
    expect(server.requests).toHaveLength(1);
  });

  it('shows a business as an action answered it, and stop aborts the request in flight', async () => {
    const { server, poller } = setup();
    poller.start();
    server.last().respond(200, overview());
    await flush();
    const paused = { ...overview().businesses[0], paused: true };
    poller.applyBusiness(paused);
    const state = poller.getState();
    expect(state.kind === 'loaded' && state.overview.businesses[0].paused).toBe(true);

    await advance(OVERVIEW_REFRESH_MS);
    const pending = server.last();
    poller.stop();
    expect(pending.signal.aborted).toBe(true);
    await advance(60_000);
    expect(server.requests).toHaveLength(2);
  });
});
