import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call, RecordingStatus } from '../api';
import { LanguageProvider } from '../language';
import { CALL_A, CALL_B, call, status } from '../test/fakeServer';
import { App } from './App';

type Answer = { status: number; body: unknown };
type Route = (init: RequestInit) => Answer | Promise<Answer>;

/**
 * Answers from a table of "METHOD path" routes (at once, or when the route's promise settles; an
 * aborted request rejects as the browser's fetch does); counts what was asked.
 */
function routedFetch(routes: Record<string, Route>) {
  const asked: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${String(input)}`;
    asked.push(key);
    const route = routes[key];
    if (!route) throw new Error(`unexpected request ${key}`);
    const aborted = new Promise<never>((_, reject) =>
      init.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError'))),
    );
    const { status: code, body } = await Promise.race([route(init), aborted]);
    return new Response(JSON.stringify(body), { status: code, headers: { 'Content-Type': 'application/json' } });
  });
  return { fetch: fetchMock as unknown as typeof fetch, asked };
}

/** A route held open until the test releases it with an answer. */
function heldRoute() {
  let release: (answer: Answer) => void = () => undefined;
  const answer = new Promise<Answer>((resolve) => (release = resolve));
  return { route: () => answer, release: (a: Answer) => release(a) };
}

const never = () => new Promise<Answer>(() => undefined);

const withoutRecording: Call = { ...call(CALL_B), from: '+15550003333', recording: null };
const readyA: RecordingStatus = status(CALL_A, { status: 'ready' });

function demoRoutes(statusOfA: () => { status: number; body: unknown }): Record<string, Route> {
  return {
    'GET /api/dev/businesses': () => ({
      status: 200,
      body: [{ id: 1, name: 'Acme Plumbing', account_sid: 'AC' + '0'.repeat(32) }],
    }),
    'POST /api/dev/token': (init) => {
      expect(JSON.parse(String(init.body))).toEqual({ business_id: 1, user: 'alice' });
      return { status: 200, body: { token: 'jwt', expires_at: '2099-01-01T00:00:00Z' } };
    },
    'GET /api/calls?limit=20': () => ({ status: 200, body: { items: [call(CALL_A), withoutRecording], next_cursor: null } }),
    [`GET /api/recordings/${CALL_A}/status`]: statusOfA,
  };
}

function renderApp(fetchImpl: typeof fetch) {
  return render(
    <LanguageProvider initial="en">
      <App fetchImpl={fetchImpl} />
    </LanguageProvider>,
  );
}

async function signInAs(user: string) {
  const name = await screen.findByTestId('signin-user');
  fireEvent.change(name, { target: { value: user } });
  fireEvent.click(screen.getByTestId('signin-submit'));
  return screen.findAllByTestId('call-row');
}

describe('App', () => {
  let createObjectURL: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
    createObjectURL = vi.fn();
    Object.defineProperty(URL, 'createObjectURL', { value: createObjectURL, configurable: true });
    // jsdom has no media playback: play() reports "play" as a browser would, pause() "pause".
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
      this.dispatchEvent(new Event('play'));
      return Promise.resolve();
    });
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(function (this: HTMLMediaElement) {
      this.dispatchEvent(new Event('pause'));
    });
    vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => undefined);
  });

  afterEach(() => cleanup());

  it('signs in, lists the calls and plays a recording from its signed URL, never as a blob', async () => {
    const server = routedFetch(demoRoutes(() => ({ status: 200, body: readyA })));
    renderApp(server.fetch);

    const rows = await signInAs('alice');
    expect(rows).toHaveLength(2);
    expect(within(rows[1]).getByTestId('recording-status').dataset.status).toBe('none');
    expect(within(rows[1]).queryByTestId('call-play')).toBeNull();
    expect(JSON.parse(sessionStorage.getItem('playback.session') ?? '{}')).toMatchObject({ token: 'jwt', user: 'alice' });

    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));

    const audio = screen.getByTestId('player-audio') as HTMLAudioElement;
    expect(audio.getAttribute('src')).toBe(readyA.stream_url);
    expect(audio.getAttribute('preload')).toBe('metadata');
    expect(screen.getByTestId('player-download').getAttribute('href')).toBe(readyA.stream_url);
    expect(screen.getByTestId('player-play').getAttribute('aria-label')).toBe('Pause');
    expect(createObjectURL).not.toHaveBeenCalled();
    expect(server.asked.filter((key) => key.includes('/api/recordings/'))).toEqual([
      `GET /api/recordings/${CALL_A}/status`,
    ]);

    // Space anywhere outside a text field toggles play/pause, without any request.
    fireEvent.keyDown(document.body, { key: ' ' });
    expect(screen.getByTestId('player').dataset.state).toBe('paused');
    expect(server.asked).toHaveLength(4);

    fireEvent.click(screen.getByTestId('sign-out'));
    expect(await screen.findByTestId('signin-submit')).toBeTruthy();
    expect(sessionStorage.getItem('playback.session')).toBeNull();
  });

  it('a recording stored ahead of the Play (prefetched) is listed ready and plays on the status read alone', async () => {
    const stored: Call = { ...call(CALL_A), recording: { ...call(CALL_A).recording!, status: 'ready', size_bytes: 320_000 } };
    const server = routedFetch({
      ...demoRoutes(() => ({ status: 200, body: readyA })),
      'GET /api/calls?limit=20': () => ({ status: 200, body: { items: [stored], next_cursor: null } }),
    });
    renderApp(server.fetch);

    const [row] = await signInAs('alice');
    expect(within(row).getByTestId('recording-status').dataset.status).toBe('ready');
    fireEvent.click(within(row).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));
    // No explicit request: nothing is asked to be downloaded, so no 202 can come back.
    expect(server.asked.filter((key) => key.includes('/api/recordings/'))).toEqual([`GET /api/recordings/${CALL_A}/status`]);
  });

  it('switches to Hebrew, right to left, with the timeline kept left to right', async () => {
    const server = routedFetch(demoRoutes(() => ({ status: 200, body: readyA })));
    renderApp(server.fetch);
    await signInAs('alice');

    fireEvent.click(screen.getByTestId('language-toggle'));
    expect(document.documentElement.lang).toBe('he');
    expect(document.documentElement.dir).toBe('rtl');
    expect(localStorage.getItem('playback.lang')).toBe('he');
    expect(screen.getByTestId('player-play').getAttribute('aria-label')).toBe('נגן');
    expect(screen.getByTestId('player-seek').closest('[dir]')?.getAttribute('dir')).toBe('ltr');
    expect(screen.getByTestId('player-seek').getAttribute('aria-label')).toBe('מיקום בהקלטה');

    fireEvent.click(screen.getByTestId('language-toggle'));
    expect(document.documentElement.dir).toBe('ltr');
  });

  it('shows why a recording failed, with Retry only when it can help', async () => {
    const gone = status(CALL_A, { status: 'failed', error: 'provider_not_found', retry_after: null });
    const server = routedFetch(demoRoutes(() => ({ status: 200, body: gone })));
    renderApp(server.fetch);
    const rows = await signInAs('alice');

    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    const error = await screen.findByTestId('player-error');
    expect(error.textContent).toBe('The recording no longer exists at the provider');
    expect(screen.queryByTestId('player-retry')).toBeNull();
    expect(within(rows[0]).getByTestId('recording-status').dataset.status).toBe('failed');
  });

  it('a row left queued follows its recording to ready after another call is played, without Refresh', async () => {
    const CALL_C = 'CA' + 'c'.repeat(32);
    const watched = heldRoute();
    let longPolls = 0;
    const routes: Record<string, Route> = {
      ...demoRoutes(() => ({ status: 200, body: status(CALL_A, { status: 'missing' }) })),
      'GET /api/calls?limit=20': () => ({ status: 200, body: { items: [call(CALL_A), call(CALL_C)], next_cursor: null } }),
      [`GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`]: () => ({ status: 202, body: status(CALL_A, { status: 'queued' }) }),
      // The player's long-poll (aborted by the switch), then the watcher's.
      [`GET /api/recordings/${CALL_A}/status?wait=25&live=true`]: () => (++longPolls, never()),
      [`GET /api/recordings/${CALL_A}/status?wait=25`]: () => (++longPolls, watched.route()),
      [`GET /api/recordings/${CALL_C}/status`]: () => ({ status: 200, body: status(CALL_C, { status: 'ready' }) }),
    };
    const server = routedFetch(routes);
    renderApp(server.fetch);
    const rows = await signInAs('alice');
    const badgeOf = (row: HTMLElement) => within(row).getByTestId('recording-status').dataset.status;

    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(badgeOf(rows[0])).toBe('queued'));
    fireEvent.click(within(rows[1]).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));
    await waitFor(() => expect(longPolls).toBe(2));
    expect(badgeOf(rows[0])).toBe('queued');

    await act(async () => watched.release({ status: 200, body: status(CALL_A, { status: 'ready' }) }));
    await waitFor(() => expect(badgeOf(rows[0])).toBe('ready'));
    expect(server.asked.filter((key) => key.startsWith('GET /api/calls'))).toHaveLength(1);
  });

  it('says why a download waits: the failure being retried and when, or paused downloads', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const now = Date.now();
      let answer = status(CALL_A, {
        status: 'queued',
        error: 'provider_unavailable',
        fail_count: 1,
        retry_after: 12,
        next_attempt_at: new Date(now + 12_000).toISOString(),
      });
      const routes: Record<string, Route> = {
        ...demoRoutes(() => ({ status: 200, body: status(CALL_A, { status: 'missing' }) })),
        [`GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`]: () => ({ status: 202, body: answer }),
        [`GET /api/recordings/${CALL_A}/status?wait=25&live=true`]: never,
      };
      renderApp(routedFetch(routes).fetch);
      const rows = await signInAs('alice');
      fireEvent.click(within(rows[0]).getByTestId('call-play'));
      const reason = await screen.findByTestId('player-waiting-reason');
      expect(reason.dataset.reason).toBe('provider_unavailable');
      expect(reason.textContent).toBe('The provider is unavailable right now · next attempt in 12 s');
      expect(screen.queryByTestId('player-progress')).toBeNull();

      await act(async () => vi.advanceTimersByTime(5_000));
      expect(screen.getByTestId('player-next-attempt').textContent).toBe(' · next attempt in 7 s');
      await act(async () => vi.advanceTimersByTime(8_000));
      expect(screen.getByTestId('player-next-attempt').textContent).toBe(' · next attempt due now');

      fireEvent.click(screen.getByTestId('language-toggle'));
      expect(screen.getByTestId('player-state').textContent).toMatch(/^ממתין להקלטה… \(\d+ שנ׳\)הספק אינו זמין כרגע · הניסיון הבא מתחיל עכשיו$/);
      fireEvent.click(screen.getByTestId('language-toggle'));

      // Another recording of a paused business: the 202 says so.
      cleanup();
      sessionStorage.clear();
      answer = status(CALL_A, { status: 'queued', paused: true });
      renderApp(routedFetch(routes).fetch);
      const again = await signInAs('alice');
      fireEvent.click(within(again[0]).getByTestId('call-play'));
      const paused = await screen.findByTestId('player-waiting-reason');
      expect(paused.dataset.reason).toBe('paused');
      expect(paused.textContent).toBe('Downloads for this account are paused');
    } finally {
      vi.useRealTimers();
    }
  });

  it('plays a recording while it downloads, and keeps the same audio when it becomes ready', async () => {
    const liveUrl = `/api/recordings/${CALL_A}/stream?token=1.1111111111.live`;
    const stored = heldRoute();
    const routes: Record<string, Route> = {
      ...demoRoutes(() => ({ status: 200, body: status(CALL_A, { status: 'missing' }) })),
      [`GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`]: () => ({ status: 202, body: status(CALL_A, { status: 'queued' }) }),
      [`GET /api/recordings/${CALL_A}/status?wait=25&live=true`]: () => ({
        status: 200,
        body: status(CALL_A, { status: 'downloading', progress: { bytes: 640_000, total: 2_880_000 }, live_stream_url: liveUrl }),
      }),
      [`GET /api/recordings/${CALL_A}/status?wait=25`]: stored.route,
    };
    const server = routedFetch(routes);
    renderApp(server.fetch);
    const rows = await signInAs('alice');

    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));
    const player = screen.getByTestId('player');
    const audio = screen.getByTestId('player-audio') as HTMLAudioElement;
    expect(audio.getAttribute('src')).toBe(liveUrl);
    expect(player.dataset.live).toBe('true');
    expect(screen.getByTestId('player-state').textContent).toBe('Playing · still downloading');
    expect(screen.getByTestId('player-progress').getAttribute('aria-label')).toBe('22% downloaded');
    expect(screen.queryByTestId('player-download')).toBeNull();
    expect(within(rows[0]).getByTestId('recording-status').dataset.status).toBe('downloading');
    expect(HTMLMediaElement.prototype.play).toHaveBeenCalledTimes(1);

    await act(async () => stored.release({ status: 200, body: readyA }));
    await waitFor(() => expect(player.dataset.live).toBe('false'));
    expect(player.dataset.state).toBe('playing');
    expect(audio.getAttribute('src')).toBe(liveUrl);
    expect(HTMLMediaElement.prototype.load).not.toHaveBeenCalled();
    expect(screen.queryByTestId('player-progress')).toBeNull();
    expect(screen.getByTestId('player-download')).toBeTruthy();
    expect(within(rows[0]).getByTestId('recording-status').dataset.status).toBe('ready');
    expect(server.asked.filter((key) => key.includes('/api/recordings/'))).toEqual([
      `GET /api/recordings/${CALL_A}/status`,
      `GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`,
      `GET /api/recordings/${CALL_A}/status?wait=25&live=true`,
      `GET /api/recordings/${CALL_A}/status?wait=25`,
    ]);
  });

  it('an audio error while it plays a download in progress asks the status once and shows the failure', async () => {
    const liveUrl = `/api/recordings/${CALL_A}/stream?token=1.1111111111.live`;
    let statusReads = 0;
    const routes: Record<string, Route> = {
      ...demoRoutes(() =>
        ++statusReads === 1
          ? { status: 200, body: status(CALL_A, { status: 'missing' }) }
          : { status: 200, body: status(CALL_A, { status: 'failed', error: 'invalid_media', retry_after: null, fail_count: 5 }) },
      ),
      [`GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`]: () => ({
        status: 202,
        body: status(CALL_A, { status: 'downloading', live_stream_url: liveUrl }),
      }),
      [`GET /api/recordings/${CALL_A}/status?wait=25`]: never,
    };
    const server = routedFetch(routes);
    renderApp(server.fetch);
    const rows = await signInAs('alice');
    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));
    await waitFor(() => expect(server.asked).toContain(`GET /api/recordings/${CALL_A}/status?wait=25`));

    const audio = screen.getByTestId('player-audio') as HTMLAudioElement;
    expect(audio.getAttribute('src')).toBe(liveUrl);
    fireEvent.error(audio);

    const error = await screen.findByTestId('player-error');
    expect(error.dataset.reason).toBe('invalid_media');
    expect(error.textContent).toBe('The provider sent a file that is not audio');
    expect(screen.getByTestId('player-retry')).toBeTruthy();
    expect(screen.getByTestId('player').dataset.state).toBe('failed');
    expect(audio.getAttribute('src')).toBeNull();
    expect(within(rows[0]).getByTestId('recording-status').dataset.status).toBe('failed');
    expect(server.asked.filter((key) => key.includes('/api/recordings/'))).toEqual([
      `GET /api/recordings/${CALL_A}/status`,
      `GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`,
      `GET /api/recordings/${CALL_A}/status?wait=25`,
      `GET /api/recordings/${CALL_A}/status`,
    ]);
  });

  it('an audio error while live, once the recording is stored, resumes the stored file where it stopped', async () => {
    const liveUrl = `/api/recordings/${CALL_A}/stream?token=1.1111111111.live`;
    let statusReads = 0;
    const routes: Record<string, Route> = {
      ...demoRoutes(() => ({ status: 200, body: ++statusReads === 1 ? status(CALL_A, { status: 'missing' }) : readyA })),
      [`GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`]: () => ({
        status: 202,
        body: status(CALL_A, { status: 'downloading', live_stream_url: liveUrl }),
      }),
      [`GET /api/recordings/${CALL_A}/status?wait=25`]: never,
    };
    const server = routedFetch(routes);
    renderApp(server.fetch);
    const rows = await signInAs('alice');
    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));

    const audio = screen.getByTestId('player-audio') as HTMLAudioElement;
    audio.currentTime = 42;
    fireEvent.error(audio);
    await waitFor(() => expect(audio.getAttribute('src')).toBe(readyA.stream_url));
    // A new source starts at 0, as the browser's load does; its metadata is where the player seeks.
    audio.currentTime = 0;
    fireEvent.loadedMetadata(audio);
    expect(audio.currentTime).toBe(42);
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));
    expect(screen.getByTestId('player').dataset.live).toBe('false');
    expect(statusReads).toBe(2);
  });

  it('without a live stream URL (an older api) the audio starts only when the recording is ready', async () => {
    const stored = heldRoute();
    const downloading = status(CALL_A, { status: 'downloading', progress: { bytes: 640_000, total: 2_880_000 } });
    delete downloading.live_stream_url;
    const routes: Record<string, Route> = {
      ...demoRoutes(() => ({ status: 200, body: status(CALL_A, { status: 'missing' }) })),
      [`GET /api/recordings/${CALL_A}/stream?explicit_user_action=true`]: () => ({ status: 202, body: downloading }),
      [`GET /api/recordings/${CALL_A}/status?wait=25&live=true`]: stored.route,
    };
    const server = routedFetch(routes);
    renderApp(server.fetch);
    const rows = await signInAs('alice');
    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(server.asked).toContain(`GET /api/recordings/${CALL_A}/status?wait=25&live=true`));

    expect(screen.getByTestId('player').dataset.state).toBe('waiting');
    expect(screen.getByTestId('player-audio').getAttribute('src')).toBeNull();
    expect(screen.getByTestId('player-progress')).toBeTruthy();
    expect(HTMLMediaElement.prototype.play).not.toHaveBeenCalled();

    await act(async () => stored.release({ status: 200, body: readyA }));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));
    expect(screen.getByTestId('player-audio').getAttribute('src')).toBe(readyA.stream_url);
    expect(screen.getByTestId('player').dataset.live).toBe('false');
  });

  it('keeps phone numbers left to right in Hebrew, in the table, the player and accessible names', async () => {
    const server = routedFetch(demoRoutes(() => ({ status: 200, body: readyA })));
    renderApp(server.fetch);
    const rows = await signInAs('alice');
    fireEvent.click(screen.getByTestId('language-toggle'));
    fireEvent.click(within(rows[0]).getByTestId('call-play'));
    await waitFor(() => expect(screen.getByTestId('player').dataset.state).toBe('playing'));

    const numbers = screen.getAllByTestId('phone-number');
    // Row A: from and to; the row without a recording: from and to; the player: from and to.
    expect(numbers.map((n) => n.textContent)).toEqual([
      '+15550001111', '+15550002222', '+15550003333', '+15550002222', '+15550001111', '+15550002222',
    ]);
    for (const number of numbers) {
      expect(number.tagName).toBe('BDI');
      expect(number.getAttribute('dir')).toBe('ltr');
    }
    const header = screen.getByTestId('player-call');
    expect(within(header).getAllByTestId('phone-number')).toHaveLength(2);
    // The date after the numbers is isolated too, so it cannot pull a "+" across.
    expect(header.querySelector('.player-call-time bdi')).not.toBeNull();
    expect(within(rows[0]).getByTestId('call-play').getAttribute('aria-label')).toBe('נגן את השיחה מ־\u2066+15550001111\u2069');
  });

  it('returns to sign-in on a 401', async () => {
    const server = routedFetch(
      demoRoutes(() => ({ status: 401, body: { error: 'unauthorized', message: 'expired' } })),
    );
    renderApp(server.fetch);
    const rows = await signInAs('alice');
    await act(async () => {
      fireEvent.click(within(rows[0]).getByTestId('call-play'));
    });
    expect(await screen.findByTestId('signin-submit')).toBeTruthy();
    expect(sessionStorage.getItem('playback.session')).toBeNull();
  });
});
