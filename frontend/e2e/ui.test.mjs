// Browser tests of the UI against the running system (simulator + api + worker with demo data),
// driven by playwright-core in Debian's Chromium. Run by e2e/src/test/java/playback/e2e/UiTest.java,
// which starts the system and passes: BASE_URL (the api, which serves the UI), SIM_URL (the provider
// simulator), SCREENSHOT_DIR, PREFETCH_BUSINESS_ID and PREFETCH_CALL_SIDS (a third business whose
// prefetch was on before these calls of it arrived).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL;
const SIM = process.env.SIM_URL;
const SHOTS = process.env.SCREENSHOT_DIR ?? 'target/ui-screenshots';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Longer than the player's first status backoff (3 s): a request it still had planned would be sent within it. */
const QUIET_WINDOW_MS = 5000;
/** How long past the provider's own delay a cold Play may take until the audio advances. */
const PLAY_HEADROOM_MS = 3000;
/** How long past the provider's own delay a Play may take until a download in progress plays. */
const LIVE_PLAY_HEADROOM_MS = 1000;
/** A long recording from a provider that sends 1 MB/s: a minute to download, about 16 s of audio a second. */
const HOUR_LONG = { duration_seconds: 3600, latency_ms: 300, bytes_per_second: 1_000_000 };

let browser;
let calls; // the demo's first business, newest first (DemoData: index 2 is gone at the provider)
let second; // the demo's second business { id, account_sid, calls }: the operations scenarios act on it only
let prefetching; // the third business { id, calls }: prefetch on, its calls reported after it was turned on
const pageProblems = []; // Content-Security-Policy violations and 404s seen by any page, checked by the last test

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  calls = await callsOf(1);
  const prefetchingId = Number(process.env.PREFETCH_BUSINESS_ID);
  const prefetchedSids = (process.env.PREFETCH_CALL_SIDS ?? '').split(',').filter(Boolean);
  const businesses = await (await fetch(`${BASE}/api/dev/businesses`)).json();
  const blueHarbor = businesses.find((b) => b.id !== 1 && b.id !== prefetchingId);
  second = { ...blueHarbor, calls: await callsOf(blueHarbor.id) };
  prefetching = { id: prefetchingId, calls: (await callsOf(prefetchingId)).filter((c) => prefetchedSids.includes(c.call_sid)) };
  assert.ok(prefetchedSids.length > 0 && prefetching.calls.length === prefetchedSids.length,
    `the prefetching business's calls are listed: ${prefetchedSids}`);
});

async function tokenFor(businessId, roles) {
  const body = roles ? { business_id: businessId, user: 'ui-test', roles } : { business_id: businessId, user: 'ui-test' };
  return (await post(`${BASE}/api/dev/token`, body)).token;
}

async function callsOf(businessId) {
  const token = await tokenFor(businessId);
  return (await (await fetch(`${BASE}/api/calls?limit=24`, { headers: { Authorization: `Bearer ${token}` } })).json()).items;
}

after(async () => {
  await browser?.close();
});

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return response.status === 204 ? null : response.json();
}

/** Scripts how the simulator answers a recording (see simulator/README.md). */
async function script(call, how) {
  const response = await fetch(`${SIM}/sim/recordings/${call.recording.recording_sid}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(how),
  });
  assert.equal(response.status, 204);
}

/** The recording's status JSON as the api answers it, asked once. */
async function statusJsonOf(call, token) {
  const answer = await fetch(`${BASE}/api/recordings/${call.call_sid}/status`, { headers: { Authorization: `Bearer ${token}` } });
  return answer.json();
}

async function statusOf(call, token) {
  return (await statusJsonOf(call, token)).status;
}

async function fetchesOf(call) {
  const stats = await (await fetch(`${SIM}/sim/stats`)).json();
  return stats.fetches[call.recording.recording_sid] ?? 0;
}

/** The most downloads the simulator saw at once for a provider account, over the whole run. */
async function maxInFlightOf(accountSid) {
  const stats = await (await fetch(`${SIM}/sim/stats`)).json();
  return stats.max_in_flight_by_account?.[accountSid] ?? 0;
}

/** Polls the condition until it holds; fails with the message when the timeout passes first. */
async function until(condition, message, timeout = 10000) {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeout} ms: ${message()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Watches for what must not happen: nothing is asked during a window the player would have asked in. */
async function quietWindow(page) {
  await page.waitForTimeout(QUIET_WINDOW_MS);
}

/**
 * A signed-in page that records every control request (status/stream/download without a signed token),
 * each with `settled` set once it was answered or failed, every load of the calls list, and every
 * response (`{ url, status }`). `operator` signs in with the operations role.
 */
async function signedIn({ business = 1, operator = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) pageProblems.push(message.text());
  });
  const responses = [];
  page.on('response', (response) => {
    if (response.status() === 404) pageProblems.push(`404 ${response.url()}`);
    responses.push({ url: response.url(), status: response.status() });
  });
  const requests = [];
  const listLoads = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/recordings/') && !url.searchParams.has('token')) {
      requests.push({ url: request.url(), at: Date.now(), request, settled: false });
    }
    if (url.pathname === '/api/calls') listLoads.push(request.url());
  });
  const settle = (request) => {
    for (const r of requests) if (r.request === request) r.settled = true;
  };
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  await page.goto(`${BASE}/`);
  await page.getByTestId('signin-business').selectOption(String(business));
  if (operator) await page.getByTestId('signin-operator').check();
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('calls-table').waitFor();
  return {
    context, page, requests, listLoads, responses,
    of: (call) => requests.filter((r) => r.url.includes(call.call_sid)),
  };
}

/** Presses the row's Play and waits for the playback clock to move; returns the milliseconds it took. */
async function playUntilAudioAdvances(page, call, timeout) {
  const started = Date.now();
  await row(page, call).getByTestId('call-play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="player-audio"]').currentTime > 0.2,
    null, { timeout });
  return Date.now() - started;
}

/**
 * Presses the row's Play and measures, in the page, from the click to the first frame where the audio
 * plays and its clock has moved: the milliseconds a listener waits.
 */
async function playUntilAudioPlays(page, call, timeout) {
  await page.evaluate(() => {
    const timing = {};
    window.playTiming = timing;
    document.addEventListener('click', (event) => {
      if (event.target.closest('[data-testid="call-play"]')) timing.clicked ??= performance.now();
    }, { capture: true });
    const audio = document.querySelector('[data-testid="player-audio"]');
    const watch = () => {
      if (timing.clicked !== undefined && !audio.paused && audio.currentTime > 0) timing.playing = performance.now();
      else requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
  await row(page, call).getByTestId('call-play').click();
  await page.waitForFunction(() => window.playTiming.playing !== undefined, null, { timeout });
  return page.evaluate(() => Math.round(window.playTiming.playing - window.playTiming.clicked));
}

function row(page, call) {
  return page.locator(`[data-testid="call-row"][data-call-sid="${call.call_sid}"]`);
}

async function currentTime(page) {
  return page.getByTestId('player-audio').evaluate((audio) => audio.currentTime);
}

test('1. one Play on a cold recording plays soon, with at most 3 control requests to start it and 1 download', async () => {
  const call = calls[0];
  const delay = 1000;
  await script(call, { latency_ms: delay, duration_seconds: 30 });
  const { context, page, of } = await signedIn();
  const elapsed = await playUntilAudioAdvances(page, call, delay + PLAY_HEADROOM_MS + 5000);
  console.log(`cold Play: audio advanced ${elapsed} ms after Play (simulator delay ${delay} ms)`);
  // Measured 2.7 to 3.1 s on a shared 2-core machine, most of it the page and the audio element: the
  // limit leaves headroom, the printed figure is the measurement.
  assert.ok(elapsed <= delay + PLAY_HEADROOM_MS,
    `audio advanced ${elapsed} ms after Play (simulator delay ${delay} ms + ${PLAY_HEADROOM_MS} ms)`);
  // Three to start it; when it started on the download in progress, one long-poll follows it to ready.
  const [first, second, third, ...following] = of(call).map((r) => r.url);
  assert.ok(third && following.length <= 1 && following.every((url) => /\/status\?wait=\d+$/.test(url)),
    `control requests: ${[first, second, third, ...following].join(', ')}`);
  assert.equal(await fetchesOf(call), 1, 'exactly one download at the provider');
  await context.close();
});

test('2. switching recordings while waiting aborts the first one; only its row follows it, one long-poll at a time', async () => {
  const [slow, other] = [calls[4], calls[5]];
  await script(slow, { latency_ms: 20000, duration_seconds: 30 });
  const { context, page, of } = await signedIn();
  const aborted = [];
  page.on('requestfailed', (request) => {
    if (request.url().includes(slow.call_sid)) aborted.push(request.failure()?.errorText ?? '');
  });
  await row(page, slow).getByTestId('call-play').click();
  await page.waitForSelector('[data-testid="player-state"][data-state="waiting"]', { timeout: 10000 });
  await until(() => of(slow).some((r) => !r.settled), () => `a request about the first recording in flight: ${of(slow).map((r) => r.url)}`);
  await row(page, other).getByTestId('call-play').click();
  const switched = Date.now();
  await until(() => aborted.length >= 1, () => 'the request in flight is aborted');
  await quietWindow(page);
  assert.ok(aborted.length >= 1 && aborted.every((e) => e.includes('ABORTED')), `aborted: ${aborted}`);
  // The row's badge follows the download with one long-poll, held by the server until it settles: no
  // status read, no explicit request.
  const after = of(slow).filter((r) => r.at > switched + 50);
  assert.ok(after.length <= 1 && after.every((r) => /\/status\?wait=\d+$/.test(r.url)),
    `requests for the first recording after the switch: ${after.map((r) => r.url)}`);
  await context.close();
});

test('3. Play/Pause/Play five times fast on a cold recording: one enqueue, no flood', async () => {
  const call = calls[6];
  await script(call, { latency_ms: 2500, duration_seconds: 30 });
  const { context, page, of } = await signedIn();
  await row(page, call).getByTestId('call-play').click();
  for (let i = 0; i < 10; i++) {
    await page.getByTestId('player-play').click();
  }
  await page.waitForSelector('[data-testid="player-state"][data-state="ready"], [data-testid="player-state"][data-state="playing"], [data-testid="player-state"][data-state="paused"]', { timeout: 15000 });
  await until(() => of(call).every((r) => r.settled), () => `every control request answered: ${of(call).filter((r) => !r.settled).map((r) => r.url)}`);
  const enqueues = of(call).filter((r) => r.url.includes('explicit_user_action=true'));
  assert.equal(enqueues.length, 1, 'one explicit request');
  assert.ok(of(call).length <= 5, `control requests: ${of(call).length}`);
  assert.equal(await fetchesOf(call), 1, 'one download at the provider');
  await context.close();
});

test('4. a permanently failing recording shows its reason and asks nothing more', async () => {
  const gone = calls[2];
  const { context, page, of } = await signedIn();
  await row(page, gone).getByTestId('call-play').click();
  const error = page.getByTestId('player-error');
  await error.waitFor({ timeout: 15000 });
  assert.equal(await error.getAttribute('data-reason'), 'provider_not_found');
  assert.match(await error.innerText(), /no longer exists/i);
  assert.equal(await page.getByTestId('player-retry').count(), 0, 'no Retry for a terminal failure');
  const failedAt = Date.now();
  await quietWindow(page);
  assert.equal(of(gone).filter((r) => r.at > failedAt).length, 0, 'no request after the failure');
  await context.close();
});

test('5. Hebrew renders right-to-left; screenshots of both languages', async () => {
  const { context, page } = await signedIn();
  await row(page, calls[0]).getByTestId('call-play').click();
  await page.waitForSelector('[data-testid="player-state"][data-state="playing"]', { timeout: 10000 });
  if ((await page.evaluate(() => document.documentElement.lang)) === 'he') {
    await page.getByTestId('language-toggle').click();
  }
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  await page.screenshot({ path: `${SHOTS}/recent-calls-en.png` });
  await page.getByTestId('language-toggle').click();
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'he');
  const seekDirection = await page.getByTestId('player-seek').evaluate((el) => getComputedStyle(el).direction);
  assert.equal(seekDirection, 'ltr', 'the timeline stays left-to-right');
  // Where Chromium draws each "+": left of the digits it belongs to, in the table and the player.
  const plusSides = await page.evaluate(() => [...document.querySelectorAll('[data-testid="phone-number"]')]
    .filter((el) => el.firstChild?.nodeType === Node.TEXT_NODE && el.textContent.length > 1).map((el) => {
    const text = el.firstChild;
    const range = document.createRange();
    range.setStart(text, 0); range.setEnd(text, 1);
    const plus = range.getBoundingClientRect().x;
    range.setStart(text, 1); range.setEnd(text, 2);
    return { number: el.textContent, inPlayer: !!el.closest('[data-testid="player"]'), leftOfDigits: plus < range.getBoundingClientRect().x };
  }));
  assert.ok(plusSides.some((p) => p.inPlayer), 'the player shows the numbers');
  const wrong = plusSides.filter((p) => p.number.startsWith('+') && !p.leftOfDigits);
  assert.deepEqual(wrong, [], 'every "+" in front of its number');
  await page.screenshot({ path: `${SHOTS}/recent-calls-he.png` });
  await page.getByTestId('language-toggle').click();
  await context.close();
});

test('6. seeking to the middle of a played recording makes a Range request answered 206', async () => {
  const call = calls[7];
  // Long enough (30 min, ~29 MB) that the browser cannot have buffered the middle when it seeks there.
  await script(call, { duration_seconds: 1800 });
  const { context, page } = await signedIn();
  const ranges = [];
  page.on('response', async (response) => {
    const url = new URL(response.url());
    if (url.pathname.endsWith(`/${call.call_sid}/stream`) && url.searchParams.has('token')) {
      ranges.push({ status: response.status(), range: await response.request().headerValue('range') });
    }
  });
  await row(page, call).getByTestId('call-play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="player-audio"]').currentTime > 0.2,
    null, { timeout: 15000 });
  const seek = page.getByTestId('player-seek');
  const box = await seek.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('[data-testid="player-audio"]').currentTime > 600,
    null, { timeout: 15000 });
  const middle = () => ranges.filter((r) => r.status === 206 && r.range && !/^bytes=0-/.test(r.range));
  await until(() => middle().length >= 1, () => `a 206 answer to a Range from the middle: ${JSON.stringify(ranges)}`);
  assert.ok((await currentTime(page)) > 600, 'playing from the middle');
  await context.close();
});

test('7. a row left while its download runs shows ready when it is, without Refresh', async () => {
  const [left, other] = [calls[8], calls[9]];
  await script(left, { latency_ms: 4000, duration_seconds: 30 });
  const { context, page, of, listLoads } = await signedIn();
  await row(page, left).getByTestId('call-play').click();
  await page.waitForSelector(`[data-testid="call-row"][data-call-sid="${left.call_sid}"] [data-testid="recording-status"]:is([data-status="queued"], [data-status="downloading"])`, { timeout: 10000 });
  await row(page, other).getByTestId('call-play').click();
  const switched = Date.now();
  await page.waitForSelector('[data-testid="player-state"]:is([data-state="ready"], [data-state="playing"])', { timeout: 15000 });
  await page.waitForSelector(`[data-testid="call-row"][data-call-sid="${left.call_sid}"] [data-testid="recording-status"][data-status="ready"]`, { timeout: 20000 });
  assert.equal(listLoads.length, 1, `the list was not loaded again: ${listLoads}`);
  const after = of(left).filter((r) => r.at > switched + 50);
  assert.ok(after.length <= 2 && after.every((r) => /\/status\?wait=\d+$/.test(r.url)),
    `the row is followed by long-poll: ${after.map((r) => r.url)}`);
  assert.equal(await fetchesOf(left), 1, 'one download at the provider');
  await context.close();
});

async function operations(page) {
  await page.getByTestId('nav-operations').click();
  await page.waitForSelector('[data-testid="operations-page"][data-state="loaded"]', { timeout: 10000 });
}

function businessRow(page, id) {
  return page.locator(`[data-testid="ops-business-row"][data-business-id="${id}"]`);
}

/** Puts the second business back as the demo had it, whatever a scenario left. */
async function restoreSecondBusiness() {
  const token = await tokenFor(second.id, ['ops']);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  await fetch(`${BASE}/api/ops/businesses/${second.id}/resume`, { method: 'POST', headers });
  await fetch(`${BASE}/api/ops/businesses/${second.id}/limit`, { method: 'PUT', headers, body: JSON.stringify({ limit: null }) });
}

test('8. the operations page: an operator opens it; a user without the role has no link, and the api answers 403', async () => {
  const user = await signedIn();
  assert.equal(await user.page.getByTestId('nav-operations').count(), 0, 'no Operations link without the role');
  const denied = await fetch(`${BASE}/api/ops/overview`, { headers: { Authorization: `Bearer ${await tokenFor(1)}` } });
  assert.equal(denied.status, 403);
  assert.equal((await denied.json()).error, 'forbidden');
  await user.page.goto(`${BASE}/#/operations`);
  await user.page.getByTestId('ops-forbidden').waitFor({ timeout: 10000 });
  await user.context.close();

  const { context, page } = await signedIn({ operator: true });
  await operations(page);
  assert.ok(await page.getByTestId('ops-business-row').count() >= 2, 'every business is listed');
  assert.equal(await page.getByTestId('ops-throughput-minute').count(), 15, 'one bar per minute of the last 15');
  assert.ok(await businessRow(page, second.id).count() === 1, 'the second business is listed');
  assert.match(await page.getByTestId('ops-queue-waiting').innerText(), /^\d+$/);
  await context.close();
});

test('9. a paused business downloads nothing, its player says so; resumed, the recording becomes ready', async () => {
  const call = second.calls[8];
  const { context, page } = await signedIn({ business: second.id, operator: true });
  try {
    await operations(page);
    await businessRow(page, second.id).getByTestId('ops-pause').click();
    await page.waitForSelector(`[data-testid="ops-business-row"][data-business-id="${second.id}"][data-paused="true"]`);

    await page.getByTestId('nav-calls').click();
    await row(page, call).getByTestId('call-play').click();
    await page.waitForSelector('[data-testid="player-waiting-reason"][data-reason="paused"]', { timeout: 10000 });
    assert.match(await page.getByTestId('player-waiting-reason').innerText(), /paused/i);
    await quietWindow(page);
    assert.equal(await fetchesOf(call), 0, 'nothing fetched from the provider while paused');
    assert.equal(await page.getByTestId('player-state').getAttribute('data-state'), 'waiting');

    // The player stays at the bottom of the operations page, still waiting for this recording.
    await operations(page);
    await businessRow(page, second.id).getByTestId('ops-resume').click();
    await page.waitForSelector(`[data-testid="ops-business-row"][data-business-id="${second.id}"][data-paused="false"]`);
    await page.waitForSelector('[data-testid="player-state"]:is([data-state="ready"], [data-state="playing"])', { timeout: 20000 });
    assert.equal(await fetchesOf(call), 1, 'one download once resumed');
  } finally {
    await restoreSecondBusiness();
    await context.close();
  }
});

test('10. limit 1: two recordings of the business download one after the other', async () => {
  const [first, next] = [second.calls[9], second.calls[10]];
  await script(first, { latency_ms: 3000, duration_seconds: 30 });
  await script(next, { latency_ms: 3000, duration_seconds: 30 });
  const before = await maxInFlightOf(second.account_sid);
  assert.ok(before <= 1, `no earlier scenario downloaded two of its recordings at once (${before})`);
  const { context, page } = await signedIn({ business: second.id, operator: true });
  try {
    await operations(page);
    const limits = businessRow(page, second.id);
    await limits.getByTestId('ops-limit-input').fill('1');
    await limits.getByTestId('ops-limit-save').click();
    await page.waitForSelector(`[data-testid="ops-business-row"][data-business-id="${second.id}"] [data-testid="ops-in-flight"][data-limit="1"]`);
    await limits.getByTestId('ops-limit-default').waitFor();

    await page.getByTestId('nav-calls').click();
    await row(page, first).getByTestId('call-play').click();
    await page.waitForSelector('[data-testid="player-state"][data-state="waiting"]', { timeout: 10000 });
    await row(page, next).getByTestId('call-play').click();
    await until(async () => (await fetchesOf(first)) >= 1 && (await fetchesOf(next)) >= 1,
      () => 'both recordings downloaded', 30000);
    assert.equal(await maxInFlightOf(second.account_sid), 1, 'never two downloads of the business at once');
    await operations(page);
    await limits.getByTestId('ops-limit-default').click();
    await page.waitForSelector(`[data-testid="ops-business-row"][data-business-id="${second.id}"] [data-testid="ops-limit-is-default"]`);
  } finally {
    await restoreSecondBusiness();
    await context.close();
  }
});

test('11. Retry now gives a failed recording a new download; the audit log shows it; screenshot', async () => {
  const call = second.calls[11];
  await script(call, { missing: true });
  const { context, page } = await signedIn({ business: second.id, operator: true });
  try {
    await row(page, call).getByTestId('call-play').click();
    const error = page.getByTestId('player-error');
    await error.waitFor({ timeout: 20000 });
    assert.equal(await error.getAttribute('data-reason'), 'provider_not_found');
    await script(call, { missing: false, duration_seconds: 30 });
    const fetchedBefore = await fetchesOf(call);

    await operations(page);
    const failure = page.locator(`[data-testid="ops-failure-row"][data-call-sid="${call.call_sid}"]`);
    await failure.waitFor({ timeout: 15000 });
    assert.equal(await failure.getByTestId('ops-failure-reason').getAttribute('data-reason'), 'provider_not_found');
    await failure.getByTestId('ops-retry-now').click();
    await page.waitForSelector(`[data-testid="ops-retry-result"][data-call-sid="${call.call_sid}"][data-result="started"]`, { timeout: 10000 });

    const token = await tokenFor(second.id);
    await until(async () => {
      const answer = await fetch(`${BASE}/api/recordings/${call.call_sid}/status`, { headers: { Authorization: `Bearer ${token}` } });
      return (await answer.json()).status === 'ready';
    }, () => 'the recording is ready after Retry now', 20000);
    assert.equal(await fetchesOf(call), fetchedBefore + 1, 'one new download at the provider');
    await page.waitForSelector(`[data-testid="ops-audit-entry"][data-action="retry_now"][data-call-sid="${call.call_sid}"]`, { timeout: 15000 });
    // Tall enough for the whole page, from its top: the player stays docked at the bottom of the window.
    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/operations.png` });
  } finally {
    await context.close();
  }
});

test('12. recordings stored by prefetch show ready and play at once: no 202, no download asked, one provider fetch each', async () => {
  const token = await tokenFor(prefetching.id);
  await until(async () => (await Promise.all(prefetching.calls.map((call) => statusOf(call, token)))).every((s) => s === 'ready'),
    () => 'the worker stored every recording of the prefetching business', 30000);
  const { context, page, of, responses } = await signedIn({ business: prefetching.id });
  for (const call of prefetching.calls) {
    await row(page, call).locator('[data-testid="recording-status"][data-status="ready"]').waitFor({ timeout: 10000 });
  }
  const call = prefetching.calls[0];
  const elapsed = await playUntilAudioAdvances(page, call, PLAY_HEADROOM_MS + 5000);
  console.log(`prefetched Play: audio advanced ${elapsed} ms after Play`);
  const ofPrefetched = responses.filter((r) => prefetching.calls.some((c) => r.url.includes(c.call_sid)));
  assert.ok(ofPrefetched.length > 0, 'the recording was asked for');
  assert.deepEqual(ofPrefetched.filter((r) => r.status === 202), [], 'no answer was a 202');
  assert.deepEqual(of(call).filter((r) => r.url.includes('explicit_user_action=true')).map((r) => r.url), [],
    'the player asked for no download');
  for (const prefetched of prefetching.calls) {
    assert.equal(await fetchesOf(prefetched), 1, `one provider fetch of ${prefetched.call_sid}`);
  }
  assert.ok(elapsed <= PLAY_HEADROOM_MS, `audio advanced ${elapsed} ms after Play (limit ${PLAY_HEADROOM_MS} ms)`);
  await context.close();
});

test('13. an operator sets a prefetch policy on the operations page; the api has it; the audit log shows it', async () => {
  const { context, page } = await signedIn({ business: prefetching.id, operator: true });
  await operations(page);
  const policy = businessRow(page, prefetching.id);
  await policy.getByTestId('ops-prefetch-edit').click();
  const editor = page.locator(`[data-testid="ops-prefetch-editor"][data-business-id="${prefetching.id}"]`);
  await editor.getByTestId('ops-prefetch-hours').fill('721');
  await editor.getByTestId('ops-prefetch-save').click();
  assert.equal(await editor.getByTestId('ops-prefetch-error').getAttribute('data-error'), 'invalid_hours');

  await editor.getByTestId('ops-prefetch-hours').fill('48');
  await editor.getByTestId('ops-prefetch-cap').fill('100');
  await editor.getByTestId('ops-prefetch-save').click();
  await policy.locator('[data-testid="ops-prefetch"][data-hours="48"][data-daily-max-count="100"]').waitFor({ timeout: 10000 });
  const answer = await fetch(`${BASE}/api/ops/businesses/${prefetching.id}/prefetch`,
    { headers: { Authorization: `Bearer ${await tokenFor(prefetching.id, ['ops'])}` } });
  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), { business_id: prefetching.id, prefetch: { hours: 48, daily_max_count: 100 } });
  await page.locator(`[data-testid="ops-audit-entry"][data-action="set_prefetch"][data-business-id="${prefetching.id}"]`)
    .filter({ hasText: 'last 48 h, at most 100 a day' }).waitFor({ timeout: 15000 });
  await context.close();
});

test('14. a cold 60-minute recording plays while it downloads, within the provider\'s delay + 1 s', async () => {
  const call = calls[10];
  await script(call, HOUR_LONG);
  const { context, page, of } = await signedIn();
  const elapsed = await playUntilAudioPlays(page, call, HOUR_LONG.latency_ms + LIVE_PLAY_HEADROOM_MS + 10000);
  console.log(`live Play: audio playing ${elapsed} ms after Play (simulator delay ${HOUR_LONG.latency_ms} ms, 57.6 MB at 1 MB/s)`);
  assert.equal(await page.getByTestId('player').getAttribute('data-live'), 'true', 'the player says it is still downloading');
  assert.equal(await page.getByTestId('player-progress').count(), 1, 'with the download progress');
  assert.equal(await statusOf(call, await tokenFor(1)), 'downloading', 'the download is still under way');
  assert.ok(elapsed <= HOUR_LONG.latency_ms + LIVE_PLAY_HEADROOM_MS,
    `audio playing ${elapsed} ms after Play (simulator delay ${HOUR_LONG.latency_ms} ms + ${LIVE_PLAY_HEADROOM_MS} ms)`);
  assert.equal(of(call).filter((r) => r.url.includes('explicit_user_action=true')).length, 1, 'one explicit request');
  assert.ok(of(call).length <= 4, `control requests: ${of(call).map((r) => r.url).join(', ')}`);
  assert.equal(await fetchesOf(call), 1, 'one download at the provider');
  await context.close();
});

test('15. a seek to 90 % of a recording still downloading resumes once those bytes arrive', async () => {
  const call = calls[11];
  await script(call, HOUR_LONG);
  const token = await tokenFor(1);
  const { context, page, of } = await signedIn();
  await playUntilAudioPlays(page, call, HOUR_LONG.latency_ms + LIVE_PLAY_HEADROOM_MS + 10000);
  await page.locator('[data-testid="player"][data-live="true"]').waitFor();
  const duration = await page.getByTestId('player-audio').evaluate((audio) => audio.duration);
  assert.ok(duration > HOUR_LONG.duration_seconds * 0.99, `the length is known while it downloads: ${duration} s`);

  const seek = page.getByTestId('player-seek');
  const box = await seek.boundingBox();
  await page.mouse.click(box.x + box.width * 0.9, box.y + box.height / 2);
  const target = await currentTime(page);
  const seekedAt = Date.now();
  const { status, progress } = await statusJsonOf(call, token);
  assert.ok(target > duration * 0.85, `sought to ${target} s of ${duration} s`);
  assert.equal(status, 'downloading', 'still downloading after the seek');
  assert.ok(progress.bytes < (progress.total ?? Infinity) * (target / duration),
    `the bytes at the seek point have not arrived yet: ${JSON.stringify(progress)}`);

  // About 52 s of download at 1 MB/s reach 90 % (57.6 MB in all).
  await page.waitForFunction((from) => document.querySelector('[data-testid="player-audio"]').currentTime > from + 1,
    target, { timeout: 120000 });
  console.log(`live seek to ${Math.round(target)} s: playing past it ${Date.now() - seekedAt} ms later`);
  assert.ok(of(call).length <= 4 + 4, `control requests while it downloaded: ${of(call).map((r) => r.url).join(', ')}`);
  assert.equal(await fetchesOf(call), 1, 'one download at the provider');
  await context.close();
});

test('16. a download that fails midway while it plays shows the failure and stops the audio', async () => {
  const call = calls[12];
  // 1.9 MB announced, half of it sent at 100 kB/s (about 10 s), then the provider's connection drops.
  await script(call, { duration_seconds: 120, latency_ms: 300, bytes_per_second: 100_000, truncate: true });
  const { context, page, of } = await signedIn();
  await playUntilAudioPlays(page, call, HOUR_LONG.latency_ms + LIVE_PLAY_HEADROOM_MS + 10000);
  const playing = Date.now();
  assert.equal(await page.getByTestId('player').getAttribute('data-live'), 'true', 'it plays the download in progress');

  // Failed for good, or a retry scheduled: either way the player says why, as for any failed download.
  const failure = page.locator('[data-testid="player-error"], [data-testid="player-waiting-reason"]');
  await failure.first().waitFor({ timeout: 60000 });
  const reason = await failure.first().getAttribute('data-reason');
  console.log(`broken download: ${await failure.first().getAttribute('data-testid')} (${reason}) ${Date.now() - playing} ms after the audio started`);
  assert.ok(reason && reason !== 'paused', `a failure reason is shown: ${reason}`);
  assert.match(await failure.first().innerText(), /\S/);
  assert.notEqual(await page.getByTestId('player').getAttribute('data-live'), 'true', 'no longer playing the broken download');
  assert.equal(await page.getByTestId('player-audio').getAttribute('src'), null, 'the audio let go of the broken stream');
  const shownAt = Date.now();
  await quietWindow(page);
  const after = of(call).filter((r) => r.at > shownAt);
  assert.ok(after.length <= 1, `no flood after the failure: ${after.map((r) => r.url)}`);
  await context.close();
});

test('17. the UI runs under its Content-Security-Policy, favicon included', async () => {
  const { context, page } = await signedIn();
  const response = await page.goto(`${BASE}/`);
  assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');
  await page.waitForLoadState('load');
  await context.close();
  assert.deepEqual(pageProblems, [], 'no page of the run broke the policy or missed a file');
});
