import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LanguageProvider } from '../language';
import { CALL_A, CALL_B, call, status } from '../test/fakeServer';
import { business, overview } from '../test/opsOverview';
import { App } from './App';

type Answer = { status: number; body: unknown };
type Route = (init: RequestInit) => Answer;

/** base64url JSON, as a JWT's payload. */
const encode = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const tokenWith = (roles?: string[]) => `${encode({ alg: 'RS256' })}.${encode({ sub: 'olivia', business_id: 1, roles })}.sig`;

function server(extra: Record<string, Route> = {}) {
  const asked: Array<{ key: string; body: unknown }> = [];
  const routes: Record<string, Route> = {
    'GET /api/dev/businesses': () => ({ status: 200, body: [{ id: 1, name: 'Acme Plumbing', account_sid: 'AC' + '1'.repeat(32) }] }),
    'POST /api/dev/token': (init) => {
      const { roles } = JSON.parse(String(init.body)) as { roles?: string[] };
      return { status: 200, body: { token: tokenWith(roles), expires_at: '2099-01-01T00:00:00Z' } };
    },
    'GET /api/calls?limit=20': () => ({ status: 200, body: { items: [call(CALL_A)], next_cursor: null } }),
    'GET /api/ops/overview': () => ({ status: 200, body: overview() }),
    ...extra,
  };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const key = `${init.method ?? 'GET'} ${String(input)}`;
    asked.push({ key, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const route = routes[key];
    if (!route) throw new Error(`unexpected request ${key}`);
    const { status: code, body } = route(init);
    return new Response(JSON.stringify(body), { status: code, headers: { 'Content-Type': 'application/json' } });
  });
  return { fetch: fetchMock as unknown as typeof fetch, asked, keys: () => asked.map((a) => a.key) };
}

async function signIn(fetchImpl: typeof fetch, operator: boolean) {
  render(
    <LanguageProvider initial="en">
      <App fetchImpl={fetchImpl} />
    </LanguageProvider>,
  );
  await screen.findByTestId('signin-submit');
  if (operator) fireEvent.click(screen.getByTestId('signin-operator'));
  fireEvent.click(screen.getByTestId('signin-submit'));
  await screen.findAllByTestId('call-row');
}

function editorOf(id: number) {
  return screen.getAllByTestId('ops-prefetch-editor').find((editor) => editor.dataset.businessId === String(id))!;
}

function businessRow(id: number) {
  return screen.getAllByTestId('ops-business-row').find((row) => row.dataset.businessId === String(id))!;
}

describe('OperationsPage', () => {
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
    window.history.replaceState(null, '', '/');
  });
  afterEach(() => cleanup());

  it('an operator signs in with the ops role, opens the page and sees the overview', async () => {
    const api = server();
    await signIn(api.fetch, true);
    expect(api.asked.find((a) => a.key === 'POST /api/dev/token')?.body).toEqual({ business_id: 1, user: 'demo', roles: ['ops'] });

    fireEvent.click(screen.getByTestId('nav-operations'));
    await screen.findByTestId('ops-businesses');
    expect(screen.getByTestId('calls-table').closest('section')?.hidden).toBe(true);
    expect(screen.getByTestId('player')).toBeTruthy();
    // Back and forth: one page of each, never two copies.
    fireEvent.click(screen.getByTestId('nav-calls'));
    await waitFor(() => expect(screen.queryByTestId('operations-page')).toBeNull());
    expect(screen.getByTestId('calls-table').closest('section')?.hidden).toBe(false);
    fireEvent.click(screen.getByTestId('nav-operations'));
    await screen.findByTestId('ops-businesses');
    expect(screen.getAllByTestId('operations-page')).toHaveLength(1);
    expect(screen.getAllByTestId('ops-business-row')).toHaveLength(2);
    expect(screen.getAllByTestId('player')).toHaveLength(1);

    expect(screen.getByTestId('ops-queue-waiting').textContent).toBe('3');
    expect(screen.getByTestId('ops-queue-oldest').textContent).toBe('1 min 16 s');
    expect(within(businessRow(1)).getByTestId('ops-in-flight').textContent).toBe('2 / 5');
    expect(within(businessRow(2)).getByTestId('ops-business-state').textContent).toBe('Paused');
    expect(screen.getAllByTestId('ops-throughput-minute')).toHaveLength(15);
    expect(screen.getByTestId('ops-throughput-totals').textContent).toBe('17 succeeded, 1 failed');
    const failures = screen.getAllByTestId('ops-failure-row');
    expect(failures.map((row) => row.dataset.callSid)).toEqual([CALL_A, CALL_B]);
    expect(within(failures[0]).getByTestId('ops-failure-reason').textContent).toBe('The provider is unavailable right now');
    expect(within(failures[0]).getByTestId('ops-failure-attempts').textContent).toBe('2');
    expect(within(failures[1]).getByTestId('ops-failure-next').textContent).toBe('—');
    expect(screen.getByTestId('ops-stuck-runs').dataset.count).toBe('0');
    expect(screen.getAllByTestId('ops-audit-entry')[0].textContent).toContain('Paused downloads');
  });

  it('pauses, resumes and sets the limit of a business, showing what the api answered', async () => {
    // The api's side: the overview shows what the actions changed.
    const current = overview();
    const change = (id: number, patch: Partial<ReturnType<typeof business>>): Answer => {
      current.businesses = current.businesses.map((b) => (b.id === id ? { ...b, ...patch } : b));
      return { status: 200, body: current.businesses.find((b) => b.id === id) };
    };
    const api = server({
      'GET /api/ops/overview': () => ({ status: 200, body: current }),
      'POST /api/ops/businesses/1/pause': () => change(1, { paused: true }),
      'POST /api/ops/businesses/2/resume': () => change(2, { paused: false }),
      'PUT /api/ops/businesses/1/limit': (init) => {
        const { limit } = JSON.parse(String(init.body)) as { limit: number | null };
        return change(1, { limit: limit ?? current.default_limit, limit_overridden: limit !== null });
      },
    });
    await signIn(api.fetch, true);
    fireEvent.click(screen.getByTestId('nav-operations'));
    await screen.findByTestId('ops-businesses');

    fireEvent.click(within(businessRow(1)).getByTestId('ops-pause'));
    await waitFor(() => expect(businessRow(1).dataset.paused).toBe('true'));
    fireEvent.click(within(businessRow(2)).getByTestId('ops-resume'));
    await waitFor(() => expect(businessRow(2).dataset.paused).toBe('false'));

    const input = within(businessRow(1)).getByTestId('ops-limit-input');
    fireEvent.change(input, { target: { value: '0' } });
    fireEvent.click(within(businessRow(1)).getByTestId('ops-limit-save'));
    expect(within(businessRow(1)).getByTestId('ops-action-error').dataset.error).toBe('invalid_limit');
    expect(api.keys()).not.toContain('PUT /api/ops/businesses/1/limit');

    fireEvent.change(input, { target: { value: '1' } });
    fireEvent.click(within(businessRow(1)).getByTestId('ops-limit-save'));
    await waitFor(() => expect(within(businessRow(1)).getByTestId('ops-in-flight').dataset.limit).toBe('1'));
    fireEvent.click(within(businessRow(1)).getByTestId('ops-limit-default'));
    await waitFor(() => expect(within(businessRow(1)).getByTestId('ops-in-flight').dataset.limit).toBe('5'));

    expect(api.asked.filter((a) => a.key === 'PUT /api/ops/businesses/1/limit').map((a) => a.body)).toEqual([
      { limit: 1 },
      { limit: null },
    ]);
  });

  it("shows each business's prefetch policy and sets it: hours with a cap, off; what is wrong is said", async () => {
    const current = overview({
      businesses: [
        business({ prefetch: { hours: 24, daily_max_count: 500 }, prefetched_today: 3 }),
        business({ id: 2, name: 'Blue Harbor Dental', account_sid: 'AC' + '2'.repeat(32) }),
      ],
    });
    const api = server({
      'GET /api/ops/overview': () => ({ status: 200, body: current }),
      'PUT /api/ops/businesses/2/prefetch': (init) => {
        const body = JSON.parse(String(init.body)) as { hours: number | null; daily_max_count?: number | null };
        if (body.hours === 700) {
          // A server may refuse what the form lets through (another version's bounds): its words are shown.
          return { status: 400, body: { error: 'invalid_body', message: 'the body is {"hours": 1..500}' } };
        }
        const prefetch = body.hours === null ? null : { hours: body.hours, daily_max_count: body.daily_max_count ?? null };
        current.businesses = current.businesses.map((b) =>
          b.id === 2 ? { ...b, prefetch, prefetched_today: prefetch ? 0 : null } : b);
        return { status: 200, body: { business_id: 2, prefetch } };
      },
    });
    await signIn(api.fetch, true);
    fireEvent.click(screen.getByTestId('nav-operations'));
    await screen.findByTestId('ops-businesses');

    const first = within(businessRow(1));
    expect(first.getByTestId('ops-prefetch').textContent).toBe('Last 24 h');
    expect(first.getByTestId('ops-prefetch-detail').textContent).toBe('at most 500 a day, 3 today');
    expect(first.getByTestId('ops-prefetched-today').dataset.count).toBe('3');
    fireEvent.click(first.getByTestId('ops-prefetch-edit'));
    const firstEditor = () => within(editorOf(1));
    expect((firstEditor().getByTestId('ops-prefetch-hours') as HTMLInputElement).value).toBe('24');
    expect((firstEditor().getByTestId('ops-prefetch-cap') as HTMLInputElement).value).toBe('500');
    fireEvent.click(firstEditor().getByTestId('ops-prefetch-cancel'));
    expect(screen.queryByTestId('ops-prefetch-editor')).toBeNull();

    const summary = () => within(businessRow(2)).getByTestId('ops-prefetch');
    expect(summary().textContent).toBe('Off');
    expect(summary().dataset.state).toBe('off');
    expect(within(businessRow(2)).queryByTestId('ops-prefetch-detail')).toBeNull();
    fireEvent.click(within(businessRow(2)).getByTestId('ops-prefetch-edit'));
    const row = () => within(editorOf(2));
    expect(row().queryByTestId('ops-prefetch-off')).toBeNull();
    expect((row().getByTestId('ops-prefetch-hours') as HTMLInputElement).value).toBe('');

    // Checked before sending: the field at fault is named, nothing is asked.
    const hours = row().getByTestId('ops-prefetch-hours');
    const cap = row().getByTestId('ops-prefetch-cap');
    fireEvent.change(hours, { target: { value: '721' } });
    fireEvent.click(row().getByTestId('ops-prefetch-save'));
    expect(row().getByTestId('ops-prefetch-error').dataset.error).toBe('invalid_hours');
    expect(row().getByTestId('ops-prefetch-error').textContent).toBe('Hours are a whole number from 1 to 720.');
    fireEvent.change(hours, { target: { value: '48' } });
    fireEvent.change(cap, { target: { value: '0' } });
    fireEvent.click(row().getByTestId('ops-prefetch-save'));
    expect(row().getByTestId('ops-prefetch-error').dataset.error).toBe('invalid_cap');
    expect(api.keys()).not.toContain('PUT /api/ops/businesses/2/prefetch');

    fireEvent.change(hours, { target: { value: '700' } });
    fireEvent.change(cap, { target: { value: '' } });
    fireEvent.click(row().getByTestId('ops-prefetch-save'));
    await waitFor(() => expect(row().getByTestId('ops-prefetch-error').dataset.error).toBe('refused'));
    expect(row().getByTestId('ops-prefetch-error').textContent).toBe(
      'The server refused this policy: the body is {"hours": 1..500}',
    );
    expect(summary().dataset.state).toBe('off');

    fireEvent.change(hours, { target: { value: '48' } });
    fireEvent.change(cap, { target: { value: '100' } });
    fireEvent.click(row().getByTestId('ops-prefetch-save'));
    await waitFor(() => expect(summary().textContent).toBe('Last 48 h'));
    expect(within(businessRow(2)).getByTestId('ops-prefetch-detail').textContent).toMatch(/^at most 100 a day/);
    // Done: the editor closes; today's count comes with the next overview.
    await waitFor(() => expect(screen.queryByTestId('ops-prefetch-editor')).toBeNull());
    await waitFor(() => expect(within(businessRow(2)).getByTestId('ops-prefetched-today').dataset.count).toBe('0'));

    fireEvent.click(within(businessRow(2)).getByTestId('ops-prefetch-edit'));
    expect((row().getByTestId('ops-prefetch-hours') as HTMLInputElement).value).toBe('48');
    fireEvent.click(row().getByTestId('ops-prefetch-off'));
    await waitFor(() => expect(summary().dataset.state).toBe('off'));
    expect(api.asked.filter((a) => a.key === 'PUT /api/ops/businesses/2/prefetch').map((a) => a.body)).toEqual([
      { hours: 700, daily_max_count: null },
      { hours: 48, daily_max_count: 100 },
      { hours: null },
    ]);
  });

  it('Retry now: started for a retryable failure, explained when the api refuses', async () => {
    const api = server({
      [`POST /api/ops/businesses/1/recordings/${CALL_A}/retry`]: () => ({ status: 202, body: status(CALL_A, { status: 'queued' }) }),
      [`POST /api/ops/businesses/2/recordings/${CALL_B}/retry`]: () => ({
        status: 409,
        body: { error: 'not_retryable', message: 'the recording is downloading' },
      }),
    });
    await signIn(api.fetch, true);
    fireEvent.click(screen.getByTestId('nav-operations'));
    const failures = await screen.findAllByTestId('ops-failure-row');

    fireEvent.click(within(failures[0]).getByTestId('ops-retry-now'));
    await waitFor(() => expect(screen.getByTestId('ops-retry-result').dataset.result).toBe('started'));
    expect(screen.getByTestId('ops-retry-result').dataset.callSid).toBe(CALL_A);
    fireEvent.click(within(failures[1]).getByTestId('ops-retry-now'));
    await waitFor(() => expect(screen.getByTestId('ops-retry-result').dataset.result).toBe('refused'));
    expect(screen.getByTestId('ops-retry-result').textContent).toBe(
      'Nothing to retry for \u2066CAbbbbbbbb…\u2069 now: it is downloading, ready, or its retry is due already.',
    );
    // Each action is followed by a fresh overview.
    await waitFor(() => expect(api.keys().filter((k) => k === 'GET /api/ops/overview').length).toBeGreaterThanOrEqual(3));
  });

  it('a user without the role sees no link, and the page explains the 403', async () => {
    const api = server({
      'GET /api/ops/overview': () => ({ status: 403, body: { error: 'forbidden', message: 'the operations role is required' } }),
    });
    await signIn(api.fetch, false);
    expect(api.asked.find((a) => a.key === 'POST /api/dev/token')?.body).toEqual({ business_id: 1, user: 'demo' });
    expect(screen.queryByTestId('nav-operations')).toBeNull();

    window.location.hash = '#/operations';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    const forbidden = await screen.findByTestId('ops-forbidden');
    expect(forbidden.textContent).toBe('This page needs the operations role. Sign in as an operator to see it.');
    expect(api.keys().filter((k) => k === 'GET /api/ops/overview')).toHaveLength(1);
  });
});
