import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call, RecordingStatus } from '../api';
import { LanguageProvider } from '../language';
import { CALL_A, CALL_B, call, status } from '../test/fakeServer';
import { App } from './App';

type Route = (init: RequestInit) => { status: number; body: unknown };

/** Answers at once from a table of "METHOD path" routes; counts what was asked. */
function routedFetch(routes: Record<string, Route>) {
  const asked: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${String(input)}`;
    asked.push(key);
    const route = routes[key];
    if (!route) throw new Error(`unexpected request ${key}`);
    const { status: code, body } = route(init);
    return new Response(JSON.stringify(body), { status: code, headers: { 'Content-Type': 'application/json' } });
  });
  return { fetch: fetchMock as unknown as typeof fetch, asked };
}

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
