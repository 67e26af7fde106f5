// Captions in the web client, on a phone viewport in chromium: the creator
// writes a clip's captions in the cue editor (a refused line is named), the
// feed shows them while the clip plays muted, and a search hit found in the
// captions plays from its cue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api, login, repoRoot } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM} (make deps)`
  : !existsSync(join(repoRoot, 'web/vendor/hls.min.js')) ? 'web/vendor is empty (make deps)' : false;

let s, browser, ctx, page, tok, clipId;

before(async () => {
  if (missing) return;
  s = await startServer({ args: ['--transcode-workers', '1'] });
  tok = { agent1: await login(s, 'agent1'), trainer1: await login(s, 'trainer1') };
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent('Refund call with captions')}`,
    { token: tok.agent1, body: readFileSync(makeClip('web-captions.mp4', { seconds: 5, size: '360x640' })), headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  clipId = r.json.id;
  assert.equal((await waitForVideo(s, tok.agent1, clipId)).status, 'pending_review');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  await ctx?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

/** A fresh phone-sized context logged in as `user` through the login form. */
async function loginAs(user) {
  await ctx?.close().catch(() => {});
  ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(s.url + '/');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('#login-form button[type=submit]');
  await page.locator('#view-feed[data-ready="1"]').waitFor();
}

/** Fills cue row `i` (0-based) of the open editor. */
async function fillCue(i, start, end, text) {
  const row = page.locator('.cue-row').nth(i);
  await row.locator('input[name=start]').fill(String(start));
  await row.locator('input[name=end]').fill(String(end));
  await row.locator('input[name=text]').fill(text);
}

test('the creator writes captions in the cue editor; a refused line is named, a good list is saved', { skip: missing }, async () => {
  await loginAs('agent1');
  await page.goto(`${s.url}/#me`);
  await page.locator(`#my-clips .clip-row[data-id="${clipId}"] .edit-captions`).click();
  await page.locator('#cue-list .cue-empty').waitFor();
  await page.getByRole('button', { name: /添加一句/ }).click();
  await fillCue(0, 1, 3.5, '退款 editor line');
  await page.getByRole('button', { name: /添加一句/ }).click();
  await fillCue(1, 3, 4, 'overlaps the first');
  await page.getByRole('button', { name: '保存字幕' }).click();
  const error = page.locator('.cue-form .form-error:not([hidden])');
  await error.waitFor();
  assert.match(await error.textContent(), /cue 2: cue starts at 00:00:03.000, overlapping/);
  await page.getByRole('button', { name: '删除第 2 句' }).click();
  await page.getByRole('button', { name: '保存字幕' }).click();
  await page.locator('.cue-sheet').waitFor({ state: 'detached' });
  const saved = await api(s, 'GET', `/api/v1/videos/${clipId}/captions/zh`, { token: tok.agent1 });
  assert.deepEqual(saved.json.cues, [{ start: 1, end: 3.5, text: '退款 editor line' }]);
  // opened again, the editor shows what is stored
  await page.locator(`#my-clips .clip-row[data-id="${clipId}"] .edit-captions`).click();
  await page.locator('.cue-row').first().waitFor();
  assert.equal(await page.locator('.cue-row input[name=text]').first().inputValue(), '退款 editor line');
  assert.deepEqual(page.errors, []);
});

test('the feed shows the captions while the clip plays muted; a search hit in the captions starts at its cue', { skip: missing }, async () => {
  const ok = await api(s, 'POST', `/api/v1/videos/${clipId}/review`, { token: tok.trainer1, json: { decision: 'approve' } });
  assert.equal(ok.status, 200, ok.body);
  await loginAs('agent2');
  // muted autoplay: the Chinese track is showing and its cue is active in [1, 3.5)
  const seen = await page.waitForFunction(() => {
    const v = document.querySelector('.slide video');
    const tr = v && [...v.textTracks].find((x) => x.language === 'zh');
    const cues = tr?.activeCues ? [...tr.activeCues].map((c) => c.text) : [];
    return v && v.muted && tr?.mode === 'showing' && cues.length ? { cues, time: v.currentTime } : false;
  }, null, { timeout: 20000 });
  const { cues, time } = await seen.jsonValue();
  assert.deepEqual(cues, ['退款 editor line']);
  assert.ok(time >= 1 && time < 3.5, `at ${time}`);
  // sound on: the captions step aside
  await page.locator('.slide .mute').first().click();
  await page.waitForFunction(() => [...document.querySelector('.slide video').textTracks].every((x) => x.mode !== 'showing'));

  await page.locator('a.search-link').click();
  await page.locator('#view-search[data-ready="1"]').waitFor();
  await page.fill('input[name=q]', 'editor');
  await page.getByRole('button', { name: '搜索' }).click();
  const hit = page.locator(`#search-results .search-hit[data-id="${clipId}"]`);
  await hit.waitFor();
  assert.equal(await hit.locator('.cue-at').textContent(), '从 0:01 开始');
  await hit.getByRole('button').click();
  const start = await page.waitForFunction(() => {
    const v = document.querySelector('.search-stage video');
    return v && v.readyState >= 1 && v.currentTime > 0 ? v.currentTime : false;
  }, null, { timeout: 20000 });
  assert.ok(await start.jsonValue() >= 1, 'playback starts at the cue');
  assert.deepEqual(page.errors, []);
});
