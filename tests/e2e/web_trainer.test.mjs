// The trainer's featuring and assigning in a real browser (chromium,
// 390x844), in Chinese and English: featuring from the review card takes a
// period and a note; clips are found with a search box, not one long
// select; "featured now" and the must-watch list refresh after each change,
// and both can be taken back. Every change is checked through the API.
// Analytics sort, filter by publication date, page and export their clips;
// a clip nobody started says so instead of drawing a 0% line; team names
// show in full; leaderboards change their sort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { startServer, api, login, advanceClock } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo, publishClip } from './lib/poll.mjs';
import { browserMissing, screenshots, phonePool } from './lib/browser.mjs';

let s, trainer, pendingId, liveId, likedId;
const phones = phonePool();
const PENDING = '投诉升级：主管接手的通话';
const LIVE = 'Chargeback dispute handled calmly';

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 0, args: ['--transcode-workers', '1'] });
  const clip = readFileSync(makeClip('web-trainer.mp4', { seconds: 2, size: '360x640' }));
  const agent = await login(s, 'agent2');
  trainer = await login(s, 'trainer1');
  liveId = await publishClip(s, { creator: agent, trainer, clip, title: LIVE });
  // watched to the end once; agent5's clip is liked twice but never watched
  const viewer = await login(s, 'agent1');
  const ev = (event, position) => api(s, 'POST', `/api/v1/videos/${liveId}/views`, { token: viewer, json: { event, position } });
  assert.equal((await ev('start', 0)).status, 200);
  await advanceClock(s, 1.5);
  assert.equal((await ev('end', 1.95)).json.completed, true);
  likedId = await publishClip(s, { creator: await login(s, 'agent5'), trainer, clip, title: 'Liked, never watched' });
  for (const fan of ['agent3', 'agent4']) assert.equal((await api(s, 'PUT', `/api/v1/videos/${likedId}/like`, { token: await login(s, fan) })).status, 200);
  // the rest are published three days later
  await advanceClock(s, 3 * 86400);
  for (let i = 0; i < 12; i++) await publishClip(s, { creator: agent, trainer, clip, title: `Filler clip ${i}` });
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(PENDING)}`, { token: agent, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  pendingId = (await waitForVideo(s, agent, r.json.id)).id;
  await phones.launch();
});

after(async () => {
  await phones.close();
  await s?.dispose();
});

async function trainerPage(lang, sub) {
  const page = await phones.open(s, 'trainer1', { lang });
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
  await card.locator('button[data-feature=clip]').click();
  await card.locator('button[data-feature=clip]', { hasText: '已精选' }).waitFor();
  const f = (await featured()).find((x) => x.kind === 'clip' && x.video.id === pendingId);
  assert.ok(f, 'featured');
  assert.equal(f.note, '主管点名表扬');
  const days = (f.ends_at - f.starts_at) / 86400;
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
  // the choices for the words typed, not the newest clips still shown before them
  await form.locator('.clip-choices[aria-busy=false]').waitFor();
  await form.locator(`input[value="${pendingId}"]`).check();
  await form.locator('.checks label', { hasText: '客户挽留组' }).locator('input').check(); // the team's Chinese name
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

test('analytics (en): no data for an unstarted clip, full team names, sort, date range, paging and CSV', { skip: browserMissing }, async () => {
  const page = await trainerPage('en', 'analytics');
  const cards = page.locator('#analytics-clips .analytics-card');
  // team names in full, however long
  await page.locator('#team-activity .bar-label').first().waitFor();
  assert.ok((await page.locator('#team-activity .bar-label').allTextContents()).includes('Technical Support'));
  // newest first, a page at a time
  await cards.first().waitFor();
  assert.equal(await cards.count(), 12);
  await page.click('#analytics-more');
  const total = (await api(s, 'GET', '/api/v1/analytics/videos?limit=100', { token: trainer })).json.items.length;
  assert.ok(total > 12);
  await page.waitForFunction((n) => document.querySelectorAll('#analytics-clips .analytics-card').length === n, total);
  assert.equal(await page.locator('#analytics-more').isHidden(), true);
  // sorted as asked, both ways (the numbers on the cards follow)
  const starts = () => cards.evaluateAll((els) => els.map((e) => Number(e.querySelector('p.muted').textContent.match(/(\d+) starts/)[1])));
  await page.getByLabel('Sort by').selectOption({ label: 'Starts' });
  await page.waitForFunction(() => document.querySelectorAll('#analytics-clips .analytics-card').length === 12);
  const desc = await starts();
  assert.deepEqual(desc, [...desc].sort((x, y) => y - x));
  assert.ok(desc[0] > 0);
  assert.equal(await cards.first().locator('svg.retention').count(), 1, 'a started clip draws its curve');
  assert.equal(await cards.first().locator('.no-data').count(), 0);
  await page.getByLabel('Order').selectOption({ label: 'Lowest first' });
  await page.waitForFunction(() => document.querySelector('#analytics-clips .analytics-card p.muted')?.textContent.includes(' 0 starts'));
  const asc = await starts();
  assert.deepEqual(asc, [...asc].sort((x, y) => x - y));
  // a clip nobody started says so, with no curve at 0%
  const unstarted = cards.first();
  await unstarted.locator('.no-data', { hasText: 'No data: nobody has started it yet' }).waitFor();
  assert.equal(await unstarted.locator('svg').count(), 0);
  // published on the first day only: the two early clips
  const v = (await api(s, 'GET', '/api/v1/analytics/videos?limit=100', { token: trainer })).json.items.find((x) => x.video_id === liveId);
  // a day as the server counts days: in its time zone (the default, Asia/Shanghai), not
  // this machine's (after 16:00 UTC the two differ)
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(v.published_at * 1000));
  await page.getByLabel('Published from').fill(day);
  await page.getByLabel('Published until').fill(day);
  await page.waitForFunction(() => document.querySelectorAll('#analytics-clips .analytics-card').length === 2);
  assert.deepEqual((await cards.evaluateAll((els) => els.map((e) => Number(e.dataset.id)))).sort(), [liveId, likedId].sort());
  // the export is a CSV file with the clips
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#analytics-csv')]);
  assert.equal(download.suggestedFilename(), `clips-${day}-${day}.csv`);
  const text = await readFile(await download.path(), 'utf8');
  assert.ok(text.split('\n')[0].includes('title'), 'a header row');
  assert.ok(text.includes(LIVE));
  await page.screenshot({ path: join(screenshots, '35-trainer-analytics-en.png'), fullPage: true });
  assert.deepEqual(pageErrors(page), []);
});

test('leaderboards (zh): the creators board changes its sort', { skip: browserMissing }, async () => {
  const page = await trainerPage('zh', 'boards');
  const creators = page.locator('#board-creators ol li');
  await creators.first().waitFor();
  assert.match(await creators.first().textContent(), /Li Na/, 'most completions: agent2');
  await page.locator('#board-creators').getByLabel('排序').selectOption({ label: '点赞数' });
  await page.locator('#board-creators ol li:first-child', { hasText: 'Liu Yang' }).waitFor();
  await page.locator('#board-learners').getByLabel('排序').selectOption({ label: '观看分钟' });

  await page.locator('#board-learners ol li:first-child', { hasText: 'Wang Fang' }).waitFor();
  assert.deepEqual(pageErrors(page), []);
});
