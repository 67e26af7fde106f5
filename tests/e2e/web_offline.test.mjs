// The app on a phone that loses the network (chromium, 390x844): it is
// installable (a web app manifest), its service worker keeps the app shell,
// so a reload offline still opens the app and says plainly, in the UI's
// language, that the phone is offline, with a Retry that works once it is
// back; logging out leaves no API answer or media in the caches. On a slow
// network, grey skeletons stand where a screen is coming, and a like or a
// check-in shows at once, before the server answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api } from './lib/server.mjs';
import { browserMissing, launchBrowser, phoneSession, screenshots } from './lib/browser.mjs';
import { waitForDemo } from './lib/poll.mjs';

let s, browser, session;

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 2, args: ['--transcode-workers', '1'] });
  await waitForDemo(s);
  browser = await launchBrowser();
});

after(async () => {
  await session?.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

// what the browser logs about requests that cannot leave the phone
const notNetwork = (errors) => errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e));

test('installable: a manifest with a name, a start page and an icon', { skip: browserMissing }, async () => {
  const html = await (await fetch(s.url + '/')).text();
  assert.match(html, /<link rel="manifest" href="\/manifest.webmanifest">/);
  const r = await api(s, 'GET', '/manifest.webmanifest');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/manifest\+json/);
  const m = JSON.parse(r.body);
  assert.deepEqual([m.start_url, m.display, m.short_name], ['/', 'standalone', 'casereel']);
  assert.equal((await fetch(s.url + m.icons[0].src)).status, 200);
});

test('offline: the app still opens, says so in the UI language, and Retry works once back', { skip: browserMissing }, async () => {
  session = await phoneSession(browser, s, 'agent3');
  const { ctx, page } = session;
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20000 });
  await ctx.setOffline(true);
  await page.reload();
  const panel = page.locator('#screen .error-panel');
  await panel.getByText('你现在离线。连上网络后点“重试”').waitFor();
  await page.screenshot({ path: join(screenshots, '23-offline.png') });
  assert.equal(await page.getByText(/Failed to fetch|dynamically imported module/).count(), 0, 'no raw browser error');
  // another screen, loaded lazily, comes from the cache too and says the same
  await page.click('a[data-tab=me]');
  await page.locator('#screen .error-panel', { hasText: '你现在离线' }).waitFor();
  assert.equal(await page.getByText(/Failed to fetch|dynamically imported module/).count(), 0);
  // back online, Retry shows the screen
  await ctx.setOffline(false);
  await page.locator('#screen .error-panel button', { hasText: '重试' }).click();
  await page.locator('#view-me[data-ready="1"]').waitFor();
  assert.deepEqual(notNetwork(page.errors), []);
});

test('logout leaves no API answer or media in the caches', { skip: browserMissing }, async () => {
  const { page } = session;
  await page.click('a[data-tab=feed]');
  await page.locator('.slide video').first().waitFor();
  await page.click('a[data-tab=me]');
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) urls.push(new URL(r.url).pathname);
    return urls;
  });
  assert.ok(cached.some((u) => /^\/v\/[0-9a-f]+\/app\/main\.js$/.test(u)), 'the shell stays');
  assert.deepEqual(cached.filter((u) => u.startsWith('/api/') || u.startsWith('/media/')), []);
});

test('slow network: a skeleton while the feed comes, a like and a check-in show before the answer', { skip: browserMissing }, async () => {
  await session?.ctx.close();
  // playwright sees the page's own requests when no worker stands between
  session = await phoneSession(browser, s, 'agent5', { context: { serviceWorkers: 'block' } });
  const { page } = session;
  const held = (pattern, ms) => page.route(pattern, async (route) => { await sleep(ms); await route.continue(); });
  await held('**/api/v1/feed?*', 2500);
  await page.reload();
  await page.locator('#feed > .skeleton-feed[role=status]').waitFor();
  const like = page.locator('.slide .action.like').first();
  await like.waitFor();
  assert.equal(await page.locator('.skeleton-feed').count(), 0, 'the skeleton gives way to the clips');
  // the like shows at once though its answer is held 4 s: it is on screen before the answer
  const answered = new Set();
  page.on('response', (r) => { for (const k of ['like', 'checkin']) if (r.url().endsWith(`/${k}`)) answered.add(k); });
  await held('**/api/v1/videos/*/like', 4000);
  const pressed = await like.getAttribute('aria-pressed');
  const count = Number(await like.locator('.count').textContent());
  await like.click();
  await page.waitForFunction(([p]) => document.querySelector('.slide .action.like').getAttribute('aria-pressed') !== p, [pressed]);
  assert.ok(!answered.has('like'), 'shown before the server answered');
  assert.equal(Number(await like.locator('.count').textContent()), count + (pressed === 'true' ? -1 : 1));
  await page.waitForResponse('**/api/v1/videos/*/like');
  assert.notEqual(await like.getAttribute('aria-pressed'), pressed, 'and the server agreed');
  // so does the check-in
  await page.click('a[data-tab=me]');
  await page.locator('#checkin:enabled').waitFor();
  await held('**/api/v1/me/checkin', 4000);
  await page.click('#checkin');
  await page.locator('#checkin:disabled', { hasText: '今日已签到' }).waitFor();
  assert.ok(!answered.has('checkin'), 'shown before the server answered');
  await page.waitForResponse('**/api/v1/me/checkin');
  await page.locator('#toast', { hasText: '签到成功' }).waitFor();
  assert.deepEqual(notNetwork(page.errors), []);
});
