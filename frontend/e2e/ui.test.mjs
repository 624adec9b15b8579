// Browser tests of the UI against the running system (simulator + api + worker with demo data),
// driven by playwright-core in Debian's Chromium. Run by e2e/src/test/java/playback/e2e/UiTest.java,
// which starts the system and passes: BASE_URL (the api, which serves the UI), SIM_URL (the provider
// simulator), SCREENSHOT_DIR.
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

let browser;
let calls; // the demo's first business, newest first (DemoData: index 2 is gone at the provider)
const pageProblems = []; // Content-Security-Policy violations and 404s seen by any page, checked by the last test

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  });
  const token = (await post(`${BASE}/api/dev/token`, { business_id: 1, user: 'ui-test' })).token;
  calls = (await (await fetch(`${BASE}/api/calls?limit=24`, { headers: { Authorization: `Bearer ${token}` } })).json()).items;
});

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

async function fetchesOf(call) {
  const stats = await (await fetch(`${SIM}/sim/stats`)).json();
  return stats.fetches[call.recording.recording_sid] ?? 0;
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
 * each with `settled` set once it was answered or failed.
 */
async function signedIn() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) pageProblems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() === 404) pageProblems.push(`404 ${response.url()}`);
  });
  const requests = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/recordings/') && !url.searchParams.has('token')) {
      requests.push({ url: request.url(), at: Date.now(), request, settled: false });
    }
  });
  const settle = (request) => {
    for (const r of requests) if (r.request === request) r.settled = true;
  };
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  await page.goto(`${BASE}/`);
  await page.getByTestId('signin-business').selectOption('1');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('calls-table').waitFor();
  return { context, page, requests, of: (call) => requests.filter((r) => r.url.includes(call.call_sid)) };
}

function row(page, call) {
  return page.locator(`[data-testid="call-row"][data-call-sid="${call.call_sid}"]`);
}

async function currentTime(page) {
  return page.getByTestId('player-audio').evaluate((audio) => audio.currentTime);
}

test('1. one Play on a cold recording plays soon, with at most 3 control requests and 1 download', async () => {
  const call = calls[0];
  const delay = 1000;
  await script(call, { latency_ms: delay, duration_seconds: 30 });
  const { context, page, of } = await signedIn();
  const started = Date.now();
  await row(page, call).getByTestId('call-play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="player-audio"]').currentTime > 0.2,
    null, { timeout: delay + PLAY_HEADROOM_MS + 5000 });
  const elapsed = Date.now() - started;
  console.log(`cold Play: audio advanced ${elapsed} ms after Play (simulator delay ${delay} ms)`);
  // Measured 2.7 to 3.1 s on a shared 2-core machine, most of it the page and the audio element: the
  // limit leaves headroom, the printed figure is the measurement.
  assert.ok(elapsed <= delay + PLAY_HEADROOM_MS,
    `audio advanced ${elapsed} ms after Play (simulator delay ${delay} ms + ${PLAY_HEADROOM_MS} ms)`);
  assert.ok(of(call).length <= 3, `control requests: ${of(call).map((r) => r.url).join(', ')}`);
  assert.equal(await fetchesOf(call), 1, 'exactly one download at the provider');
  await context.close();
});

test('2. switching recordings while waiting aborts the first one and asks nothing more about it', async () => {
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
  const after = of(slow).filter((r) => r.at > switched + 50);
  assert.equal(after.length, 0, `requests for the first recording after the switch: ${after.map((r) => r.url)}`);
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

test('7. the UI runs under its Content-Security-Policy, favicon included', async () => {
  const { context, page } = await signedIn();
  const response = await page.goto(`${BASE}/`);
  assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');
  await page.waitForLoadState('load');
  await context.close();
  assert.deepEqual(pageProblems, [], 'no page of the run broke the policy or missed a file');
});
