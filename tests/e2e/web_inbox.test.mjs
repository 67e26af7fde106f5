// The inbox in a real browser (chromium, 390x844), in Chinese and English: a
// creator whose clip was rejected sees the unread badge on Me, reads the
// trainer's reason in the inbox, which then counts as read, and opens the
// clip from the entry and from My clips; in English, counts are singular
// where they are one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession, screenshots } from './lib/browser.mjs';

let s, browser, session, clipId;
const TITLE = '退款电话：客户情绪很激动';
const REASON = '客户的手机号在 0:12 清晰可见';

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 0, args: ['--transcode-workers', '1'] });
  const agent = await login(s, 'agent2');
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(TITLE)}`,
    { token: agent, body: readFileSync(makeClip('web-inbox.mp4', { seconds: 2, size: '360x640' })), headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  clipId = (await waitForVideo(s, agent, r.json.id)).id;
  const trainer = await login(s, 'trainer1');
  const rej = await api(s, 'POST', `/api/v1/videos/${clipId}/review`, { token: trainer, json: { decision: 'reject', reason: REASON } });
  assert.equal(rej.status, 200, rej.body);
  // and a live clip with one like and one comment, for the numbers in My clips
  const live = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent('Live one')}`,
    { token: agent, body: readFileSync(makeClip('web-inbox.mp4', { seconds: 2, size: '360x640' })), headers: { 'content-type': 'video/mp4' } });
  await waitForVideo(s, agent, live.json.id);
  assert.equal((await api(s, 'POST', `/api/v1/videos/${live.json.id}/review`, { token: trainer, json: { decision: 'approve' } })).status, 200);
  const fan = await login(s, 'agent3');
  assert.equal((await api(s, 'PUT', `/api/v1/videos/${live.json.id}/like`, { token: fan })).status, 200);
  assert.equal((await api(s, 'POST', `/api/v1/videos/${live.json.id}/comments`, { token: fan, json: { body: 'Nice one' } })).status, 201);
  browser = await launchBrowser();
});

after(async () => {
  await session?.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

test('a rejected clip: the badge on Me, the reason in the inbox, then read; the entry opens the clip', { skip: browserMissing }, async () => {
  session = await phoneSession(browser, s, 'agent2');
  const { page } = session;
  const badge = page.locator('a[data-tab=me] .tab-badge');
  await badge.filter({ hasText: /^2$/ }).waitFor();
  assert.equal(await badge.getAttribute('aria-label'), '2 条未读消息');
  await page.click('a[data-tab=me]');
  await page.locator('#inbox-link .count-pill', { hasText: '2' }).waitFor();
  await page.click('#inbox-link');
  await page.locator('#inbox-list li.ib-entry').first().locator('.ib-line', { hasText: '你的视频《Live one》通过审核，已经上线' }).waitFor();
  const entry = page.locator('#inbox-list li.ib-entry').nth(1);
  await entry.locator('.ib-line', { hasText: `你的视频《${TITLE}》没有通过审核` }).waitFor();
  assert.equal(await entry.locator('.ib-sub').textContent(), `原因：${REASON}`);
  assert.equal(await entry.getAttribute('class'), 'ib-entry unread', 'shown as new this time');
  await page.screenshot({ path: join(screenshots, '20-inbox.png') });
  // having seen it, nothing is unread any more
  await badge.waitFor({ state: 'hidden' });
  assert.equal((await api(s, 'GET', '/api/v1/me/inbox', { token: await login(s, 'agent2') })).json.unread, 0);
  // the entry opens the clip, which says where it stands and why
  await entry.locator('a.ib-open').click();
  await page.locator('#view-clip[data-ready="1"]').waitFor();
  assert.equal(new URL(page.url()).hash, `#clip/${clipId}`);
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  assert.equal(await page.locator('.clip-view .status-pill').textContent(), '未通过');
  assert.equal(await page.locator('.clip-view .review-reason').textContent(), `原因：${REASON}`);
  await page.screenshot({ path: join(screenshots, '21-clip.png') });
  // and from My clips too
  await page.click('a[data-tab=me]');
  await page.getByRole('link', { name: TITLE }).click();
  await page.locator('#view-clip[data-ready="1"] .review-reason').waitFor();
  assert.deepEqual(page.errors, []);
});

test('the inbox in English', { skip: browserMissing }, async () => {
  await session?.ctx.close();
  session = await phoneSession(browser, s, 'agent2', { lang: 'en' });
  const { page } = session;
  await page.goto(`${s.url}/#inbox`);
  const entry = page.locator('#inbox-list li.ib-entry').nth(1);
  await entry.locator('.ib-line', { hasText: `Your clip “${TITLE}” did not pass review` }).waitFor();
  assert.equal(await entry.locator('.ib-sub').textContent(), `Reason: ${REASON}`);
  assert.equal(await entry.getAttribute('class'), 'ib-entry', 'read before');
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  // numbers read right: one like, one comment
  await page.click('a[data-tab=me]');
  const row = page.locator('#my-clips li', { hasText: 'Live one' });
  await row.waitFor();
  assert.match(await row.textContent(), /\b1 like · 1 comment · 0 tip points\b/);
  assert.deepEqual(page.errors, []);
});
