// My clips and my assignments lead somewhere (chromium, 390x844). A row of
// My clips opens the clip, where its owner watches it, reads its numbers
// (started, watched to the end, likes), edits its text (a live clip's edit
// waits for review while the approved text stays), deletes it after a
// confirmation, and uploads a failed clip again by picking its file again.
// On Me, a must-watch clip shows its due date and progress, opens to be
// watched, and counts as watched after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login, advanceClock } from './lib/server.mjs';
import { makeClip, mediaDir } from './lib/media.mjs';
import { waitForVideo, publishClip } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession, screenshots } from './lib/browser.mjs';

let s, browser, session, clipPath, live, failed, pending;
const LIVE = '退款电话：先道歉再说明';
const FAILED = 'Broken recording';
const PENDING = 'Draft to delete';

before(async () => {
  if (browserMissing) return;
  clipPath = makeClip('web-clip.mp4', { seconds: 2, size: '360x640' });
  s = await startServer({ clips: 0, args: ['--transcode-workers', '1'] });
  const owner = await login(s, 'agent6');
  const trainer = await login(s, 'trainer1');
  live = await publishClip(s, { creator: owner, trainer, clip: readFileSync(clipPath), title: LIVE });
  // someone watches it to its end (the clock moved on instead of waiting) and likes it
  const fan = await login(s, 'agent7');
  for (const [event, position] of [['start', 0], ['end', 2]]) {
    const r = await api(s, 'POST', `/api/v1/videos/${live}/views`, { token: fan, json: { event, position } });
    assert.ok(r.status < 300, r.body);
    if (event === 'start') await advanceClock(s, 3);
  }
  assert.equal((await api(s, 'PUT', `/api/v1/videos/${live}/like`, { token: fan })).status, 200);
  // the API tells the clip's reader who started it and who watched it to the end
  const counts = (await api(s, 'GET', `/api/v1/videos/${live}`, { token: owner })).json.counts;
  assert.deepEqual([counts.views, counts.completions, counts.likes], [1, 1, 1]);
  // a clip whose processing failed (not a video at all), and one waiting for review
  const junk = join(mediaDir, 'web-clip-junk.mp4');
  writeFileSync(junk, 'this is not a video, only text that says so\n'.repeat(100));
  const f = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(FAILED)}&tags=refunds`,
    { token: owner, body: readFileSync(junk), headers: { 'content-type': 'video/mp4' } });
  failed = (await waitForVideo(s, owner, f.json.id)).id;
  const p = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(PENDING)}`,
    { token: owner, body: readFileSync(clipPath), headers: { 'content-type': 'video/mp4' } });
  pending = (await waitForVideo(s, owner, p.json.id)).id;
  browser = await launchBrowser();
});

after(async () => {
  await session?.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

async function phone(user, lang) {
  await session?.ctx.close();
  session = await phoneSession(browser, s, user, { lang });
  return session.page;
}

/** Opens my clip titled `title` from the My clips list on Me. */
async function openFromMyClips(page, title) {
  await page.click('a[data-tab=me]');
  await page.locator('#view-me[data-ready="1"]').waitFor();
  await page.locator('#my-clips').getByRole('link', { name: title }).click();
  await page.locator('#view-clip[data-ready="1"]').waitFor();
}

const video = async (id) => (await api(s, 'GET', `/api/v1/videos/${id}`, { token: await login(s, 'agent6') }));

test('zh: the owner opens a live clip from My clips: it plays, shows its numbers, and an edit waits for review', { skip: browserMissing }, async () => {
  const page = await phone('agent6', 'zh');
  await openFromMyClips(page, LIVE);
  assert.equal(new URL(page.url()).hash, `#clip/${live}`);
  await page.getByRole('heading', { level: 1, name: LIVE }).waitFor();
  // it plays
  await page.locator('.clip-stage video').evaluate((v) => { v.muted = true; return v.play(); });
  await page.waitForFunction(() => document.querySelector('.clip-stage video').currentTime > 0.2);
  // its numbers: one start, one watch to the end, one like
  const stat = (key) => page.locator(`#clip-numbers [data-stat=${key}]`);
  assert.deepEqual([await stat('statStarts').locator('dt').textContent(), await stat('statStarts').locator('dd').textContent()], ['开始观看', '1']);
  assert.deepEqual([await stat('statCompletions').locator('dt').textContent(), await stat('statCompletions').locator('dd').textContent()], ['看完', '1']);
  assert.equal(await stat('statLikes').locator('dd').textContent(), '1');
  // an edit of the live clip goes to review; the live title stays until it is approved
  const form = page.locator('#clip-edit');
  await form.getByLabel('标题').fill('退款电话：先道歉，再讲规则');
  await form.getByLabel('简介').fill('道歉要具体');
  await form.getByText('退款与退货').click();
  await form.getByRole('button', { name: '保存修改' }).click();
  await form.locator('.edit-note', { hasText: '修改已提交审核' }).waitFor();
  await page.screenshot({ path: join(screenshots, '22-my-clip.png'), fullPage: true });
  const v = (await video(live)).json;
  assert.equal(v.title, LIVE, 'the approved text stays live');
  assert.equal(v.status, 'published');
  assert.deepEqual([v.edit.state, v.edit.title, v.edit.description, v.edit.tags], ['pending', '退款电话：先道歉，再讲规则', '道歉要具体', ['refunds']]);
  assert.equal(await page.locator('h1').textContent(), LIVE);
  // My clips says an edit waits
  await page.click('a[data-tab=me]');
  await page.locator('#my-clips li', { hasText: '修改待审核：退款电话：先道歉，再讲规则' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('en: a failed clip says why and is uploaded again by picking its file again', { skip: browserMissing }, async () => {
  const page = await phone('agent6', 'en');
  await openFromMyClips(page, FAILED);
  await page.locator('.clip-view .status-pill', { hasText: 'Failed' }).waitFor();
  await page.locator('#clip-retry').getByText('Pick the video file again').waitFor();
  assert.equal(await page.locator('#clip-edit').count(), 0, 'nothing to edit on a failed clip');
  await page.locator('#retry-file').setInputFiles(clipPath);
  // the upload screen follows it; the new clip has the same title and tags
  await page.locator('#view-upload[data-ready="1"]').waitFor();
  await page.locator('#upload-state .status-pill[data-status=pending_review]').waitFor({ timeout: 60000 });
  const mine = (await api(s, 'GET', '/api/v1/me/videos', { token: await login(s, 'agent6') })).json.items;
  const again = mine.filter((x) => x.title === FAILED);
  assert.equal(again.length, 1, 'the failed one is gone, the new one is there');
  assert.equal(again[0].status, 'pending_review');
  assert.deepEqual(again[0].tags, ['refunds']);
  assert.equal((await video(failed)).status, 404);
  assert.deepEqual(page.errors, []);
});

test('en: deleting a clip asks first; Cancel keeps it, Delete removes it', { skip: browserMissing }, async () => {
  const page = await phone('agent6', 'en');
  await openFromMyClips(page, PENDING);
  await page.getByRole('button', { name: 'Delete clip' }).click();
  const ask = page.getByRole('dialog', { name: 'Delete clip' });
  await ask.getByText(`Delete “${PENDING}”? This cannot be undone.`).waitFor();
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.equal((await video(pending)).status, 200, 'still there');
  await page.getByRole('button', { name: 'Delete clip' }).click();
  await ask.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.locator('#view-me[data-ready="1"]').waitFor();
  await page.locator('#toast', { hasText: 'Clip deleted' }).waitFor();
  assert.equal(await page.locator('#my-clips li', { hasText: PENDING }).count(), 0);
  assert.equal((await video(pending)).status, 404);
  // and Back does not bring the deleted clip's screen back
  assert.equal(new URL(page.url()).hash, '#me');
  assert.deepEqual(page.errors, []);
});

for (const [lang, w] of [['zh', { due: /^截止 /, before: '已观看 0/1', after: '已观看 1/1', watch: '去观看', done: '已完成' }],
  ['en', { due: /^due /, before: '0 of 1 watched', after: '1 of 1 watched', watch: 'Watch', done: 'Completed' }]]) {
  test(`${lang}: a must-watch clip on Me: due date and progress, opened from the list, watched, then counted`, { skip: browserMissing }, async () => {
    const user = lang === 'zh' ? 'agent8' : 'agent5';
    const trainer = await login(s, 'trainer1');
    const me = (await api(s, 'GET', '/api/v1/me', { token: await login(s, user) })).json;
    const due = new Date(Date.now() + 5 * 86400e3).toISOString().slice(0, 10);
    const made = await api(s, 'POST', '/api/v1/assignments', { token: trainer, json: { video_id: live, user_ids: [me.id], due_date: due } });
    assert.equal(made.status, 201, made.body);
    const page = await phone(user, lang);
    await page.click('a[data-tab=me]');
    const row = page.locator(`#my-assignments li.assignment-row[data-kind=clip][data-path="${made.json.items[0].path_id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.title').textContent(), LIVE);
    assert.match(await row.locator('.due').textContent(), w.due);
    assert.equal(await row.locator('.steps-done').textContent(), w.before);
    assert.equal(await row.getByRole('progressbar').getAttribute('aria-valuenow'), '0');
    await row.getByRole('link', { name: w.watch }).click();
    await page.locator('#view-clip[data-ready="1"]').waitFor();
    assert.equal(new URL(page.url()).hash, `#clip/${live}`);
    // watched to the end on the clip's screen
    await page.locator('.clip-stage video').evaluate((v) => { v.muted = true; return v.play(); });
    await page.waitForFunction(() => document.querySelector('.clip-stage video').ended, null, { timeout: 20000 });
    await page.waitForTimeout(300); // the end heartbeat
    await page.click('a[data-tab=me]');
    await row.locator('.steps-done', { hasText: w.after }).waitFor();
    assert.equal(await row.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    assert.equal(await row.getAttribute('data-state'), 'complete');
    assert.match(await row.textContent(), new RegExp(w.done));
    assert.deepEqual(page.errors, []);
  });
}
