// The trainer's featuring and assigning in a real browser (chromium,
// 390x844), in Chinese and English: featuring from the review card takes a
// period and a note; clips are found with a search box, not one long
// select; "featured now" and the must-watch list refresh after each change,
// and both can be taken back. Every change is checked through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo, publishClip } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession, screenshots } from './lib/browser.mjs';

let s, browser, trainer, pendingId, liveId;
const sessions = [];
const PENDING = '投诉升级：主管接手的通话';
const LIVE = 'Chargeback dispute handled calmly';

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 0, args: ['--transcode-workers', '1'] });
  const clip = readFileSync(makeClip('web-trainer.mp4', { seconds: 2, size: '360x640' }));
  const agent = await login(s, 'agent2');
  trainer = await login(s, 'trainer1');
  liveId = await publishClip(s, { creator: agent, trainer, clip, title: LIVE });
  for (let i = 0; i < 12; i++) await publishClip(s, { creator: agent, trainer, clip, title: `Filler clip ${i}` });
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(PENDING)}`, { token: agent, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  pendingId = (await waitForVideo(s, agent, r.json.id)).id;
  browser = await launchBrowser();
});

after(async () => {
  for (const x of sessions) await x.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

async function trainerPage(lang, sub) {
  const x = await phoneSession(browser, s, 'trainer1', { lang });
  sessions.push(x);
  const { page } = x;
  await page.click('a[data-tab=trainer]');
  await page.locator('#view-trainer[data-ready="1"]').waitFor();
  if (sub) {
    await page.click(`.subtabs button[data-page=${sub}]`);
    await page.locator('#trainer-body .loading').waitFor({ state: 'detached' });
  }
  return page;
}

const featured = async () => (await api(s, 'GET', '/api/v1/featured', { token: trainer })).json.items;
const pageErrors = (page) => page.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));

test('review card (zh): an approved clip is featured for the period and with the note typed', { skip: browserMissing }, async () => {
  const page = await trainerPage('zh');
  const card = page.locator(`.review-card[data-id="${pendingId}"]`);
  await card.locator('button.ok').click();
  await card.locator('.status-pill.published').waitFor();
  await card.getByLabel('天数').fill('14');
  await card.getByLabel('备注').fill('主管点名表扬');
  const started = Date.now() / 1000;
  await card.locator('button[data-feature=clip]').click();
  await card.locator('button[data-feature=clip]', { hasText: '已精选' }).waitFor();
  const f = (await featured()).find((x) => x.kind === 'clip' && x.video.id === pendingId);
  assert.ok(f, 'featured');
  assert.equal(f.note, '主管点名表扬');
  const days = (f.ends_at - started) / 86400;
  assert.ok(days > 13.9 && days < 14.1, `featured for ${days} days`);
  // a period the server refuses reads in Chinese, naming the field
  await card.getByLabel('天数').fill('400');
  await card.locator('button[data-feature=creator]').click();
  await card.locator('.form-error', { hasText: '天数' }).waitFor();
  assert.deepEqual(pageErrors(page), []);
});

test('feature page (en): search picks the clip, featured now refreshes, and a feature ends early', { skip: browserMissing }, async () => {
  const page = await trainerPage('en', 'feature');
  const form = page.locator('#feature-form');
  assert.equal(await form.locator('select').count(), 0, 'no long select of every clip');
  // the newest clips first, a few at a time; the search finds an older one
  const choices = form.locator('.clip-choices label.clip-choice');
  assert.ok(await choices.count() <= 8);
  assert.equal(await form.locator(`input[value="${liveId}"]`).count(), 0, 'an older clip is not in the first few');
  await form.getByLabel('Search clips (title, tags, captions)').fill('chargeback');
  await form.locator(`input[value="${liveId}"]`).waitFor();
  assert.equal(await choices.count(), 1);
  await form.locator(`input[value="${liveId}"]`).check();
  await form.locator('.clip-chosen', { hasText: `Chosen: ${LIVE}` }).waitFor();
  await form.getByLabel('Days').fill('3');
  await form.getByLabel('Note').fill('Calm under pressure');
  await form.getByRole('button', { name: '★ Feature clip' }).click();
  // featured now shows it without a reload
  const row = page.locator('#featured-list li', { hasText: LIVE });
  await row.waitFor();
  assert.match(await row.textContent(), /Calm under pressure/);
  assert.ok((await featured()).some((x) => x.video?.id === liveId));
  await page.screenshot({ path: join(screenshots, '34-trainer-feature-en.png'), fullPage: true });
  await row.getByRole('button', { name: 'Stop featuring' }).click();
  await row.waitFor({ state: 'detached' });
  assert.ok(!(await featured()).some((x) => x.video?.id === liveId), 'the feature ended');
  assert.deepEqual(pageErrors(page), []);
});

test('assign (zh): a must-watch found by search is assigned to a team, listed, then taken back', { skip: browserMissing }, async () => {
  const page = await trainerPage('zh', 'feature');
  const form = page.locator('#assign-form');
  await form.locator('#assign-go').click();
  await form.locator('.form-error', { hasText: '请先选择一个视频' }).waitFor();
  await form.getByLabel('搜索视频（标题、标签、字幕）').fill('投诉');
  await form.locator(`input[value="${pendingId}"]`).check();
  await form.locator('.checks label', { hasText: 'Retention' }).locator('input').check();
  await form.locator('#assign-go').click();
  const row = page.locator('#assign-list li', { hasText: PENDING });
  await row.waitFor();
  const [a] = (await api(s, 'GET', '/api/v1/assignments', { token: trainer })).json.items;
  assert.deepEqual([a.video.id, a.target.name], [pendingId, 'Retention']);
  const agent7 = await login(s, 'agent7');
  const mine = async () => (await api(s, 'GET', '/api/v1/me/assignments', { token: agent7 })).json.items;
  assert.equal((await mine()).length, 1, 'a Retention agent has it');
  await row.getByRole('button', { name: '撤回指派' }).click();
  await page.getByRole('dialog', { name: '撤回指派' }).getByRole('button', { name: '撤回指派' }).click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual((await api(s, 'GET', '/api/v1/assignments', { token: trainer })).json.items, []);
  assert.deepEqual(await mine(), [], 'taken back from the agent too');
  assert.deepEqual(pageErrors(page), []);
});
