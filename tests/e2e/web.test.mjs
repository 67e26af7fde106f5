// The mobile web client in a real browser: Debian's chromium driven by
// playwright-core on a phone viewport, against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api, login, repoRoot, problemSlug } from './lib/server.mjs';
import { makeClip, mediaDir } from './lib/media.mjs';
import { waitForDemo } from './lib/poll.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = join(repoRoot, 'tests/output/screenshots');
const missing = !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM} (make deps)`
  : !existsSync(join(repoRoot, 'web/vendor/hls.min.js')) ? 'web/vendor is empty (make deps)' : false;

let s, browser, ctx, page, clipPath;
const UPLOAD_MAX = 8 << 20;
const state = {};

before(async () => {
  if (missing) return;
  mkdirSync(shots, { recursive: true });
  clipPath = makeClip('web-upload.mp4', { seconds: 3, size: '360x640' });
  s = await startServer({ clips: 4, args: ['--transcode-workers', '2', '--upload-max', String(UPLOAD_MAX)] });
  await waitForDemo(s);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
    // playwright gives each launch a fresh, throw-away user-data dir
  });
});

after(async () => {
  await ctx?.close().catch(() => {});
  await browser?.close().catch(() => {});
  if (s && (s.proc.exitCode !== null || s.proc.signalCode !== null)) console.error(`server exited ${s.proc.exitCode} ${s.proc.signalCode}:\n${s.stderr.slice(-3000)}`);
  await s?.dispose();
});

/** A fresh phone-sized browser context logged in as `user` through the UI. */
async function loginAs(user, server = s) {
  await ctx?.close().catch(() => {});
  ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  page = await ctx.newPage();
  page.errors = [];
  page.views = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('response', async (r) => {
    const m = r.url().match(/\/api\/v1\/videos\/(\d+)\/views$/);
    if (m && r.request().method() === 'POST') page.views.push({ id: Number(m[1]), status: r.status(), ...JSON.parse(r.request().postData()) });
  });
  await page.goto(server.url + '/');
  await page.locator('#login-form').waitFor();
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('#login-form button[type=submit]');
  await page.locator('#view-feed[data-ready="1"]').waitFor();
}

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const toast = () => page.locator('#toast:not([hidden])');

/** Polls `fn` (test-side state) until it is true. */
async function until(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The index of the slide that fills the screen. */
const activeIndex = () => page.evaluate(() => {
  const feed = document.getElementById('feed');
  return Math.round(feed.scrollTop / feed.clientHeight);
});

/** Waits until the video of slide `i` has played past `secs`. */
async function waitPlaying(i, secs = 0.5) {
  await page.waitForFunction(([j, t]) => {
    const v = document.querySelectorAll('.slide video')[j];
    return v && v.currentTime > t && !v.paused;
  }, [i, secs], { timeout: 20000 });
}

test('login page, a wrong password in plain words (Chinese, then English), then the session is remembered', { skip: missing }, async () => {
  ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  page = await ctx.newPage();
  await page.goto(s.url + '/');
  await page.locator('#login-form').waitFor();
  await shot('01-login');
  await page.fill('input[name=username]', 'agent3');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('#login-form button[type=submit]');
  const problem = page.locator('#login-form .form-error');
  await problem.filter({ hasText: /\S/ }).waitFor();
  // the server's problem (bad-credentials) in the UI's language, not its English detail
  assert.equal(await problem.textContent(), '用户名或密码错误');
  await page.getByRole('button', { name: 'English' }).click();
  await page.fill('input[name=username]', 'agent3');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('#login-form button[type=submit]');
  await problem.filter({ hasText: /\S/ }).waitFor();
  assert.equal(await problem.textContent(), 'Wrong username or password');
  await loginAs('agent3');
  const stored = await page.evaluate(() => localStorage.getItem('casereel.session'));
  assert.ok(JSON.parse(stored).token, 'token in localStorage');
  assert.ok(!page.url().includes(JSON.parse(stored).token), 'no token in the URL');
  await page.reload();
  await page.locator('.slide').first().waitFor();
});

test('feed: three clips play as the agent scrolls; like, comment and tip', { skip: missing }, async () => {
  await loginAs('agent3');
  await page.locator('.slide').nth(2).waitFor();
  // why each clip is shown, in the (default Chinese) UI's words, not the server's English ones
  const why = await page.locator('.slide p.reason').allTextContents();
  assert.ok(why.length >= 3, `reasons: ${why}`);
  for (const w of why) assert.match(w, /^(必看|培训师精选|你正在提升|你团队的新视频|新员工必看|本周热门|新视频|你关注的话题|为你推荐)/);
  // skills are named by their Chinese labels, in the reasons and the tags, never by slug
  const slugs = /refunds|de-escalation|billing|product-knowledge|retention|compliance|troubleshooting|empathy/;
  for (const w of why) assert.doesNotMatch(w, slugs);
  const tagLines = await page.locator('.slide p.tags').allTextContents();
  assert.ok(tagLines.length >= 3 && tagLines.some((l) => l.includes('#退款与退货') || l.includes('#账单问题') || l.includes('#同理心与语气')), JSON.stringify(tagLines));
  for (const l of tagLines) assert.doesNotMatch(l, slugs);
  await waitPlaying(0, 1.5);
  await shot('02-feed');
  const seen = new Set([await page.locator('.slide').nth(0).getAttribute('data-id')]);
  for (let i = 1; i < 3; i++) {
    await page.evaluate(() => { const f = document.getElementById('feed'); f.scrollBy(0, f.clientHeight); });
    await page.waitForFunction((j) => {
      const f = document.getElementById('feed');
      return Math.round(f.scrollTop / f.clientHeight) === j;
    }, i);
    await waitPlaying(i);
    // the clip before stops once it scrolls away
    assert.equal(await page.evaluate((j) => document.querySelectorAll('.slide video')[j - 1].paused, i), true);
    seen.add(await page.locator('.slide').nth(i).getAttribute('data-id'));
  }
  assert.equal(seen.size, 3, 'three different clips');
  // each clip told the server it started; the ones scrolled away reported how far they got
  for (const id of seen) assert.ok(page.views.some((v) => v.id === Number(id) && v.event === 'start' && v.status === 200), `start for ${id}`);
  const first = Number([...seen][0]);
  await until(() => page.views.some((v) => v.id === first && v.event === 'progress' && v.position > 0), 'progress for the first clip');
  const slide = page.locator('.slide').nth(await activeIndex());
  const id = Number(await slide.getAttribute('data-id'));

  // tap for sound
  await slide.locator('.stage').click();
  await page.waitForFunction((j) => !document.querySelectorAll('.slide video')[j].muted, await activeIndex());

  // like (a demo like from this agent may be there already: then unlike first)
  const like = slide.locator('.action.like');
  if (await like.getAttribute('aria-pressed') === 'true') {
    await like.click();
    await slide.locator('.action.like[aria-pressed=false]:enabled').waitFor();
  }
  const likes = Number(await like.locator('.count').textContent());
  await like.click();
  await slide.locator('.action.like.on[aria-pressed=true]:enabled').waitFor();
  assert.equal(Number(await like.locator('.count').textContent()), likes + 1);

  // comment: the clip pauses under the sheet and goes on when it closes
  const videoPaused = () => slide.locator('video').evaluate((v) => v.paused);
  assert.equal(await videoPaused(), false, 'playing before the sheet opens');
  await slide.locator('.action.comments').click();
  const sheet = page.locator('.comments-sheet');
  await sheet.waitFor();
  assert.equal(await videoPaused(), true, 'paused under the comments');
  await sheet.locator('.comment-list > li:not(.muted)').first().or(sheet.locator('.comment-list .none')).waitFor();
  await sheet.locator('input[name=comment]').fill('浏览器里发的评论');
  await sheet.locator('button[type=submit]').click();
  await sheet.locator('.comment', { hasText: '浏览器里发的评论' }).waitFor();
  await shot('03-comments');
  await sheet.locator('.sheet-head button').click();
  await slide.locator('video').evaluate((v) => new Promise((ok) => (v.paused ? v.addEventListener('playing', ok, { once: true }) : ok())));

  // tip with a gift, paid from the free allowance
  await slide.locator('.action.tip').click();
  const tip = page.locator('.tip-sheet');
  await tip.locator('.allowance', { hasText: '10' }).waitFor();
  await tip.locator('.gift[data-gift=flower]').waitFor();
  await shot('04-tip');
  await tip.locator('.gift[data-gift=flower]').click();
  await tip.waitFor({ state: 'detached' });
  await toast().waitFor();

  // the server saw all three: like, comment, tip, and the watch heartbeats
  const tok = await login(s, 'agent3');
  const v = (await api(s, 'GET', `/api/v1/feed?limit=20`, { token: tok })).json.items.find((x) => x.id === id);
  assert.equal(v.viewer.liked, true);
  const comments = (await api(s, 'GET', `/api/v1/videos/${id}/comments?limit=50`, { token: tok })).json.items;
  assert.ok(comments.some((c) => c.body === '浏览器里发的评论'));
  const pts = (await api(s, 'GET', '/api/v1/me/points', { token: tok })).json;
  assert.equal(pts.free_tip_points_left, 5);
  const creator = (await api(s, 'GET', `/api/v1/users/${v.creator.id}`, { token: await login(s, 'admin') })).json;
  state.tipped = { title: v.title, creator: creator.username };
  // every watch event was accepted, including the replays of clips that looped
  assert.ok(page.views.every((v) => v.status === 200), JSON.stringify(page.views));
  assert.deepEqual(page.errors, []);
});

test('the feed keeps its place: back from Me and Upload, the same clips at the same clip', { skip: missing }, async () => {
  await loginAs('agent4');
  await page.locator('.slide').nth(2).waitFor();
  for (let i = 1; i <= 2; i++) {
    await page.evaluate(() => { const f = document.getElementById('feed'); f.scrollBy(0, f.clientHeight); });
    await page.waitForFunction((j) => { const f = document.getElementById('feed'); return Math.round(f.scrollTop / f.clientHeight) === j; }, i);
  }
  const ids = () => page.locator('.slide').evaluateAll((els) => els.map((e) => e.dataset.id));
  const order = await ids();
  for (const tab of ['me', 'upload']) {
    await page.click(`.tab[data-tab=${tab}]`);
    await page.locator(`#view-${tab}[data-ready="1"]`).waitFor();
    await page.click('.tab[data-tab=feed]');
    await page.locator('#view-feed[data-ready="1"]').waitFor();
    assert.deepEqual(await ids(), order, `after ${tab}: the same clips in the same order`);
    assert.equal(await activeIndex(), 2, `after ${tab}: at the same clip`);
    await waitPlaying(2);
  }
  assert.deepEqual(page.errors, []);
});

test('comments: 82 on a clip page newest first as the sheet scrolls; a new one shows on top', { skip: missing }, async () => {
  await loginAs('agent3');
  const slide = page.locator('.slide').nth(0);
  const id = Number(await slide.getAttribute('data-id'));
  // 82 numbered comments from five colleagues (each within the comment budget)
  const writers = ['agent1', 'agent2', 'agent4', 'agent5', 'agent6'];
  const toks = await Promise.all(writers.map((u) => login(s, u)));
  for (let i = 1; i <= 82; i++) {
    const r = await api(s, 'POST', `/api/v1/videos/${id}/comments`, { token: toks[i % writers.length], json: { body: `case note ${i}` } });
    assert.equal(r.status, 201);
  }
  await slide.locator('.action.comments').click();
  const sheet = page.locator('.comments-sheet');
  const notes = sheet.locator('.comment p', { hasText: /^case note \d+$/ });
  await notes.first().waitFor();
  assert.equal(await notes.first().textContent(), 'case note 82', 'the newest comment is on top');
  assert.ok(await notes.count() < 82, 'one page at a time, not all at once');
  // scrolling to the end loads the older ones, down to the very first
  const body = sheet.locator('.sheet-body');
  for (let n = 0; !(await sheet.locator('.comment p', { hasText: /^case note 1$/ }).count()); n++) {
    assert.ok(n < 40, 'the oldest comment arrives while scrolling');
    await body.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForTimeout(100);
  }
  const seen = (await notes.allTextContents()).map((t) => Number(t.split(' ').pop()));
  assert.deepEqual(seen, Array.from({ length: 82 }, (_, i) => 82 - i), 'every comment once, newest first');
  // a comment just posted is on top, in view, though the reader scrolled far down
  await sheet.locator('input[name=comment]').fill('看完了，很有用');
  await sheet.locator('button[type=submit]').click();
  const mine = sheet.locator('.comment').first();
  await mine.filter({ hasText: '看完了，很有用' }).waitFor();
  await page.waitForFunction(() => {
    const li = document.querySelector('.comments-sheet .comment');
    const box = document.querySelector('.comments-sheet .sheet-body').getBoundingClientRect();
    const r = li.getBoundingClientRect();
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });
  await shot('03b-comments-paged');
  await sheet.locator('.sheet-head button').click();
});

test('me: the creator sees the tip, and that the allowance paid it', { skip: missing }, async () => {
  assert.ok(state.tipped, 'the feed test tipped a clip');
  await loginAs(state.tipped.creator);
  await page.click('.tab[data-tab=me]');
  // the flower (named in Chinese) cost agent3 nothing: the daily free allowance paid all 5 points
  await page.locator('#history li.row').filter({ hasText: `收到《${state.tipped.title}》的打赏：鲜花 × 1（由每日免费额度支付）` })
    .filter({ hasText: '+5' }).first().waitFor();
  assert.deepEqual(page.errors, []);
});

test('feed plays HLS through hls.js where the browser has no native HLS', { skip: missing }, async () => {
  await ctx?.close().catch(() => {});
  ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  // pretend to be a browser without native HLS (Chromium before 2025, Firefox)
  await ctx.addInitScript(() => {
    const orig = HTMLMediaElement.prototype.canPlayType;
    HTMLMediaElement.prototype.canPlayType = function (type) { return /mpegurl/i.test(type) ? '' : orig.call(this, type); };
  });
  page = await ctx.newPage();
  await page.goto(s.url + '/');
  await page.evaluate(([tok, user]) => localStorage.setItem('casereel.session', JSON.stringify({ token: tok, user })),
    [await login(s, 'agent4'), { id: 6, role: 'agent' }]);
  await page.reload();
  await waitPlaying(0);
  assert.match(await page.evaluate(() => document.querySelector('.slide video').currentSrc), /^blob:/, 'media source from hls.js');
});

test('upload a clip through the UI and watch it reach pending review', { skip: missing }, async () => {
  await loginAs('agent3');
  await page.click('.tab[data-tab=upload]');
  await page.locator('#upload-form').waitFor();
  await page.setInputFiles('#pick-file', clipPath);
  await page.fill('input[name=title]', '网页上传的案例');
  // the title takes what the server takes, and says how much is used
  assert.equal(await page.locator('input[name=title]').getAttribute('maxlength'), '100');
  assert.equal(await page.locator('#title-count').textContent(), '7/100');
  // tags come from the server's list, by their Chinese labels
  const picker = page.getByRole('group', { name: '标签（最多 8 个）' });
  await picker.getByText('退款与退货').click();
  await picker.getByText('同理心与语气').click();
  assert.equal(await picker.locator('input:checked').count(), 2);
  await shot('05-upload');
  await page.click('#upload-start');
  await page.waitForFunction(() => Number(document.getElementById('upload-bar')?.getAttribute('aria-valuenow')) === 100, null, { timeout: 30000 });
  await page.locator('#upload-state [data-status=pending_review]').waitFor({ timeout: 60000 });
  await shot('06-upload-done');
  const tok = await login(s, 'agent3');
  const mine = (await api(s, 'GET', '/api/v1/me/videos', { token: tok })).json.items;
  const v = mine.find((x) => x.title === '网页上传的案例');
  assert.equal(v.status, 'pending_review');
  assert.deepEqual(v.tags.sort(), ['empathy', 'refunds']);
  state.videoId = v.id;

  // a file that is not a video fails in processing, and the page says why in the UI's language
  const junk = join(mediaDir, 'not-a-video.mp4');
  writeFileSync(junk, 'meeting notes, lunch order, nothing to watch\n'.repeat(200));
  await page.setInputFiles('#pick-file', junk);
  await page.fill('input[name=title]', '坏文件');
  await page.click('#upload-start');
  await page.locator('#upload-state [data-status=failed]').waitFor({ timeout: 60000 });
  const failed = (await api(s, 'GET', '/api/v1/me/videos', { token: tok })).json.items.find((x) => x.title === '坏文件');
  assert.equal(failed.status, 'failed');
  assert.ok(failed.error);
  assert.equal(failed.error_code, 'not-a-video');
  await page.locator('#upload-state .form-error', { hasText: '处理失败：这不是视频文件' }).waitFor();
  assert.equal(await page.locator('#upload-state .form-error', { hasText: failed.error }).count(), 0, 'not the server\'s English error');
  state.failedId = failed.id;
  await shot('06b-upload-failed');

  // a file over the size limit is refused before any byte is sent, in words about the file
  const big = join(mediaDir, 'too-big.mp4');
  writeFileSync(big, Buffer.alloc(UPLOAD_MAX + 1));
  await page.setInputFiles('#pick-file', big);
  await page.fill('input[name=title]', '太大的文件');
  await page.click('#upload-start');
  await page.locator('#upload-form .form-error', { hasText: '文件太大，超出了上传上限' }).waitFor();
  assert.equal(await page.locator('#upload-start').textContent(), '开始上传', 'the button keeps its label after a refusal');
  // a title over the server's limit is named as such before anything is sent
  await page.setInputFiles('#pick-file', clipPath);
  await page.locator('input[name=title]').evaluate((el) => { el.value = '长'.repeat(101); });
  await page.click('#upload-start');
  await page.locator('#upload-form .form-error', { hasText: '标题最多 100 个字' }).waitFor();
  assert.equal((await api(s, 'GET', '/api/v1/me/videos', { token: tok })).json.items.filter((x) => x.title === '太大的文件').length, 0);
});

test('trainer blurs a region of the upload by dragging on the paused picture, mutes a range from the timeline, and follows the rendering', { skip: missing }, async (t) => {
  if (!state.videoId) return t.skip('no uploaded clip');
  await loginAs('trainer1');
  await page.click('.tab[data-tab=trainer]');
  const card = page.locator(`.review-card[data-id="${state.videoId}"]`);
  await card.locator('button.redact-open').click();
  const editor = card.locator('.redact-editor');
  await page.waitForFunction((id) => document.querySelector(`.review-card[data-id="${id}"] .redact-video`)?.readyState >= 2, state.videoId);
  // the range: 0.5 s to 2.0 s, taken from the timeline
  const timeline = editor.locator('.redact-timeline');
  await timeline.fill('0.5');
  await editor.locator('button[data-act=from]').click();
  await timeline.fill('2');
  await editor.locator('button[data-act=to]').click();
  // drag from 20%/30% to 70%/60% of the picture
  await editor.locator('.redact-overlay').scrollIntoViewIfNeeded();
  const box = await editor.locator('.redact-overlay').boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.45, { steps: 4 });
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 4 });
  await page.mouse.up();
  await editor.locator('button[data-act=mute]').click();
  // the region shows on the poster preview before anything is sent
  await editor.locator('.redact-preview .redact-box').waitFor();
  assert.equal(await editor.locator('.redact-list li').count(), 2);
  await shot('07a-redact');
  await editor.locator('button.redact-send').click();
  await editor.locator('.redact-state[data-state=done]').waitFor({ timeout: 60000 });
  await shot('07b-redacted');
  const trail = (await api(s, 'GET', `/api/v1/videos/${state.videoId}/edits`, { token: await login(s, 'trainer1') })).json.items;
  assert.equal(trail.length, 1);
  const [r] = trail[0].spec.regions;
  for (const [k, want] of [['x', 0.2], ['y', 0.3], ['w', 0.5], ['h', 0.3]]) assert.ok(Math.abs(r[k] - want) < 0.03, `${k} ${r[k]}`);
  assert.deepEqual([r.from, r.to, r.style], [0.5, 2, 'blur']);
  assert.deepEqual(trail[0].spec.audio, [{ from: 0.5, to: 2, mode: 'mute' }]);
  assert.deepEqual(page.errors, []);
});

test('trainer approves the upload and features its creator; the agent sees the badge', { skip: missing }, async (t) => {
  if (!state.videoId) return t.skip('no uploaded clip');
  await loginAs('trainer1');
  await page.click('.tab[data-tab=trainer]');
  const card = page.locator(`.review-card[data-id="${state.videoId}"]`);
  await card.locator('video').waitFor();
  await page.waitForFunction((id) => document.querySelector(`.review-card[data-id="${id}"] video`)?.readyState >= 1, state.videoId);
  await shot('07-review');
  await card.locator('button.ok').click();
  await card.locator('.status-pill.published').waitFor();
  await card.locator('button[data-feature=creator]').click();
  await toast().waitFor();
  await card.locator('button[data-feature=creator]:disabled').waitFor();

  // the other trainer pages render
  await page.click('.subtabs button[data-page=feature]');
  await page.locator('#featured-list li', { hasText: 'Zhang Wei' }).waitFor();
  // assign the new clip as must-watch for the uploader's team (Billing, 账务组 in Chinese)
  await page.locator(`#assign-clip input[value="${state.videoId}"]`).check();
  await page.locator('#assign-form .checks label', { hasText: '账务组' }).locator('input').check();
  await page.click('#assign-go');
  await page.locator('#assign-list li', { hasText: '网页上传的案例' }).waitFor();
  await shot('08-feature-assign');
  await page.click('.subtabs button[data-page=boards]');
  await page.locator('#boards ol li').first().waitFor();
  await shot('09-leaderboards');
  await page.click('.subtabs button[data-page=analytics]');
  await page.locator('.analytics-card svg.retention path.line').first().waitFor({ state: 'attached' });
  await page.locator('#team-activity .bar-fill').first().waitFor();
  await page.locator('#toast').waitFor({ state: 'hidden' });
  await shot('10-analytics');
  assert.deepEqual(page.errors, []);

  // a quiz on the new clip through the API (the editor's own test follows)
  const quiz = await api(s, 'PUT', `/api/v1/videos/${state.videoId}/quiz`, { token: await login(s, 'trainer1'),
    json: { questions: [{ text: '年度套餐 30 天内可以按比例退款吗？', choices: ['可以', '不可以'], answer: 0 }] } });
  assert.equal(quiz.status, 200, quiz.body);

  // a teammate of its creator (who is never shown their own clip) gets it as a must-watch
  await loginAs('agent2');
  const slide = page.locator(`.slide[data-id="${state.videoId}"]`);
  await slide.waitFor();
  await slide.scrollIntoViewIfNeeded();
  await slide.locator('.creator-badge').waitFor();
  await slide.locator('.badge.must').waitFor();
  await page.waitForFunction((id) => {
    const v = document.querySelector(`.slide[data-id="${id}"] video`);
    return v && v.currentTime > 0.3;
  }, state.videoId, { timeout: 20000 });
  await shot('11-feed-featured');
  // the clip plays to its end: the quiz sheet opens
  const sheet = page.locator('.quiz-sheet');
  await sheet.waitFor({ timeout: 30000 });
  await until(() => page.views.some((v) => v.id === state.videoId && v.event === 'end' && v.status === 200), 'the end event');
  await sheet.locator('label.choice').first().click();
  await shot('12-quiz');
  await sheet.locator('button[type=submit]').click();
  await sheet.locator('.quiz-result:not(:empty)').waitFor();
  assert.match(await sheet.locator('.quiz-result').textContent(), /1\/1/);
  assert.deepEqual(page.errors, []);
});

test('trainer writes a quiz in the editor; an agent answers it in the feed and earns points', { skip: missing }, async () => {
  const trainer = await login(s, 'trainer1');
  const clip = (await api(s, 'GET', '/api/v1/search?q=phishing', { token: trainer })).json.items[0];
  assert.ok(clip, 'the demo clip about phishing is published');
  assert.equal((await api(s, 'GET', `/api/v1/videos/${clip.id}/quiz`, { token: trainer })).status, 404, 'no quiz yet');

  // the trainer finds the clip on the quiz page and opens the editor
  await loginAs('trainer1');
  await page.click('.tab[data-tab=trainer]');
  await page.click('.subtabs button[data-page=quizzes]');
  await page.locator('#quiz-clips li').first().waitFor();
  // each row says whether its clip has a quiz yet
  const row = page.locator(`#quiz-clips li[data-id="${clip.id}"]`);
  assert.equal(await row.locator('.quiz-badge').textContent(), '还没有测验');
  assert.ok(state.videoId, 'the upload test ran first');
  assert.equal(await page.locator(`#quiz-clips li[data-id="${state.videoId}"] .quiz-badge`).textContent(), '1 道题',
    'the clip quizzed through the API');
  await shot('13b-quiz-list');
  await page.getByLabel('按标题筛选视频').fill('phishing');
  await page.locator('#quiz-clips li:not([hidden])').first().waitFor();
  assert.equal(await page.locator('#quiz-clips li:not([hidden])').count(), 1, 'the filter leaves the one clip');
  await page.getByRole('button', { name: `编辑测验：${clip.title}` }).click();
  const editor = page.getByRole('dialog', { name: `测验：${clip.title}` });
  await editor.getByText('这个视频还没有测验').waitFor();

  // question 1: three choices (a fourth added and removed again), the second one right
  const q1 = editor.locator('fieldset.quiz-q').nth(0);
  await q1.getByLabel('题目', { exact: true }).fill('来电者说“银行让我把验证码告诉你”，应该怎么做？');
  await q1.getByLabel('选项 1', { exact: true }).fill('照他说的读出验证码');
  await q1.getByLabel('选项 2', { exact: true }).fill('拒绝，并提醒这是诈骗');
  await q1.getByRole('button', { name: '添加选项' }).click();
  await q1.getByLabel('选项 3', { exact: true }).fill('转给主管处理');
  await q1.getByRole('button', { name: '添加选项' }).click();
  assert.equal(await q1.locator('.choice-edit').count(), 4);
  await q1.getByRole('button', { name: '删除选项 4' }).click();
  assert.equal(await q1.locator('.choice-edit').count(), 3);
  await q1.getByLabel('选项 2 是正确答案').check();
  // question 2, first without marking the right answer
  await editor.getByRole('button', { name: '添加题目' }).click();
  const q2 = editor.locator('fieldset.quiz-q').nth(1);
  await q2.getByLabel('题目', { exact: true }).fill('What do phishing callers usually ask for?');
  await q2.getByLabel('选项 1', { exact: true }).fill('One-time passcodes');
  await q2.getByLabel('选项 2', { exact: true }).fill('Store opening hours');
  await shot('14-quiz-editor');
  await editor.getByRole('button', { name: '保存测验' }).click();

  // the server's problem shows in the form, at the question it is about; nothing was saved
  const problem = editor.locator('.form-error[role=alert]');
  await problem.filter({ hasText: '第 2 题' }).waitFor();
  assert.equal(await problem.textContent(), '第 2 题需要题目（1–300 字）、2–5 个选项（每项 1–120 字），并标出正确答案');
  assert.equal(await problem.getAttribute('data-field'), 'questions');
  await editor.locator('fieldset.quiz-q.invalid[data-q="1"]').waitFor();
  assert.equal(await editor.locator('fieldset.quiz-q.invalid').count(), 1);
  assert.equal(await q1.getByLabel('题目', { exact: true }).inputValue(), '来电者说“银行让我把验证码告诉你”，应该怎么做？', 'what was typed stays');
  await shot('15-quiz-editor-problem');
  assert.equal((await api(s, 'GET', `/api/v1/videos/${clip.id}/quiz`, { token: trainer })).status, 404, 'nothing saved');

  // marked and saved: the editor closes with a toast
  await q2.getByLabel('选项 1 是正确答案').check();
  await editor.getByRole('button', { name: '保存测验' }).click();
  await editor.waitFor({ state: 'detached' });
  await toast().filter({ hasText: '测验已保存（2 道题）' }).waitFor();
  // the row's badge follows without a reload, and "only clips without a quiz" now hides the clip
  await row.locator('.quiz-badge', { hasText: '2 道题' }).waitFor();
  const onlyNone = page.getByLabel('只看还没有测验的视频');
  await onlyNone.check();
  await row.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('#quiz-clips li:not([hidden])').count(), 0, 'both filters apply together');
  await page.getByLabel('按标题筛选视频').fill('');
  await page.locator('#quiz-clips li:not([hidden])').first().waitFor();
  assert.equal(await row.isHidden(), true);
  const left = await page.locator('#quiz-clips li:not([hidden]) .quiz-badge').allTextContents();
  assert.ok(left.length > 0 && left.every((b) => b === '还没有测验'), JSON.stringify(left));
  await onlyNone.uncheck();
  await row.waitFor();
  const saved = (await api(s, 'GET', `/api/v1/videos/${clip.id}/quiz`, { token: trainer })).json;
  assert.deepEqual(saved.questions.map((q) => [q.text, q.choices, q.answer]), [
    ['来电者说“银行让我把验证码告诉你”，应该怎么做？', ['照他说的读出验证码', '拒绝，并提醒这是诈骗', '转给主管处理'], 1],
    ['What do phishing callers usually ask for?', ['One-time passcodes', 'Store opening hours'], 0],
  ]);
  // opened again, the editor shows the saved quiz with its right answers marked
  await page.getByRole('button', { name: `编辑测验：${clip.title}` }).click();
  await editor.getByText(`每答对一题得 ${saved.points_per_correct_answer} 积分`).waitFor();
  assert.equal(await editor.locator('fieldset.quiz-q').count(), 2);
  assert.equal(await editor.locator('fieldset.quiz-q').nth(1).getByLabel('选项 2', { exact: true }).inputValue(), 'Store opening hours');
  assert.equal(await editor.locator('fieldset.quiz-q').nth(0).getByLabel('选项 2 是正确答案').isChecked(), true);
  assert.equal(await editor.locator('fieldset.quiz-q').nth(1).getByLabel('选项 1 是正确答案').isChecked(), true);
  await editor.getByRole('button', { name: '关闭' }).click();
  assert.deepEqual(page.errors, []);

  // an agent watches the clip to its end in the feed: the quiz opens, both answers right pay points
  await loginAs('agent5');
  const slide = page.locator(`.slide[data-id="${clip.id}"]`);
  for (let i = 0; i < 10 && !(await slide.count()); i++) {
    await page.evaluate(() => { const f = document.getElementById('feed'); f.scrollBy(0, f.clientHeight); });
    await page.waitForTimeout(300);
  }
  await slide.scrollIntoViewIfNeeded();
  const sheet = page.locator('.quiz-sheet', { hasText: '验证码告诉你' });
  await sheet.waitFor({ timeout: 30000 });
  // only this clip's quiz: the clip scrolled past before it began playing did not play on off screen
  assert.equal(await page.locator('.quiz-sheet').count(), 1);
  await sheet.locator('fieldset', { hasText: '验证码告诉你' }).getByLabel('拒绝，并提醒这是诈骗').check();
  await sheet.locator('fieldset', { hasText: 'phishing callers' }).getByLabel('Store opening hours').check();
  const agent = await login(s, 'agent5');
  const before = (await api(s, 'GET', '/api/v1/me/points', { token: agent })).json.balance;
  await sheet.getByRole('button', { name: '提交答案' }).click();
  await sheet.locator('.quiz-result:not(:empty)').waitFor();
  assert.equal(await sheet.locator('.quiz-result').textContent(), `答对 1/2，获得 ${saved.points_per_correct_answer} 积分`);
  // each question says, in words and not only by colour, which answer was right and which pick was wrong
  const [a1, a2] = [sheet.locator('fieldset').nth(0), sheet.locator('fieldset').nth(1)];
  assert.deepEqual(await sheet.locator('fieldset').evaluateAll((fs) => fs.map((f) => f.className)), ['right', 'wrong']);
  assert.equal(await a1.locator('label.choice', { hasText: '拒绝，并提醒这是诈骗' }).locator('.mark').textContent(), '✓ 正确答案');
  assert.equal(await a2.locator('label.choice', { hasText: 'One-time passcodes' }).locator('.mark').textContent(), '✓ 正确答案');
  assert.equal(await a2.locator('label.choice', { hasText: 'Store opening hours' }).locator('.mark').textContent(), '✗ 你的选择');
  assert.equal(await sheet.locator('.mark').count(), 3);
  await shot('16-quiz-answered');
  const after = (await api(s, 'GET', '/api/v1/me/points', { token: agent })).json.balance;
  assert.equal(after, before + saved.points_per_correct_answer);
  // Continue closes the quiz and moves on to the next clip
  const quizIndex = Number(await slide.getAttribute('data-index'));
  const slides = await page.locator('.slide').count();
  await sheet.getByRole('button', { name: '继续看下一个' }).click();
  await sheet.waitFor({ state: 'detached' });
  if (slides > quizIndex + 1) await page.waitForFunction((j) => { const f = document.getElementById('feed'); return Math.round(f.scrollTop / f.clientHeight) === j; }, quizIndex + 1);
  // the Me page shows the new balance and the reward
  await page.click('.tab[data-tab=me]');
  await page.locator('#balance').waitFor();
  assert.equal(Number(await page.locator('#balance').textContent()), after);
  assert.equal(await page.locator('#history li.row').filter({ hasText: `答对《${clip.title}》的测验题` }).filter({ hasText: `+${saved.points_per_correct_answer}` }).count(), 1);
  assert.equal(await page.locator('#history li.row', { hasText: 'correct quiz answer' }).count(), 0, 'not the server\'s English reason');
  assert.deepEqual(page.errors, []);

  // the trainer retires the quiz from the editor (after a confirmation); viewers no longer get it
  await loginAs('trainer1');
  await page.click('.tab[data-tab=trainer]');
  await page.click('.subtabs button[data-page=quizzes]');
  const rowAgain = page.locator(`#quiz-clips li[data-id="${clip.id}"]`);
  assert.equal(await rowAgain.locator('.quiz-badge').textContent(), '2 道题');
  await page.getByRole('button', { name: `编辑测验：${clip.title}` }).click();
  const again = page.getByRole('dialog', { name: `测验：${clip.title}` }); // loginAs opened a new page
  await again.locator('fieldset.quiz-q').nth(1).waitFor();
  page.once('dialog', (d) => d.accept());
  await again.getByRole('button', { name: '删除测验' }).click();
  await again.waitFor({ state: 'detached' });
  await toast().filter({ hasText: '测验已删除' }).waitFor();
  await rowAgain.locator('.quiz-badge', { hasText: '还没有测验' }).waitFor();
  assert.equal((await api(s, 'GET', `/api/v1/videos/${clip.id}/quiz`, { token: agent })).status, 404);
  assert.deepEqual(page.errors, []);
});

test('me: check in, then buy a shop item', { skip: missing }, async () => {
  const admin = await login(s, 'admin');
  const item = await api(s, 'POST', '/api/v1/shop/items', { token: admin, json: { name: '咖啡券', description: '食堂咖啡一杯', price: 5, stock: 3 } });
  assert.equal(item.status, 201, item.body);
  await loginAs('agent3');
  await page.click('.tab[data-tab=me]');
  await page.locator('#checkin').waitFor();
  const before = Number(await page.locator('#balance').textContent());
  await page.click('#checkin');
  await page.locator('#checkin:disabled').waitFor();
  await page.waitForFunction((b) => Number(document.getElementById('balance').textContent) > b, before);
  const afterCheckin = Number(await page.locator('#balance').textContent());
  // the points history says it in Chinese (the server's reason is English)
  const streak = (await api(s, 'GET', '/api/v1/me/points', { token: await login(s, 'agent3') })).json.streak;
  await page.locator('#history li.row').first().filter({ hasText: `每日签到，连续第 ${streak} 天` }).waitFor();
  assert.equal(await page.locator('#history li.row', { hasText: 'Daily check-in' }).count(), 0);
  // redeeming asks first: cancelling spends nothing
  const buy = page.locator(`#shop button[data-item="${item.json.id}"]`);
  await buy.click();
  const ask = page.getByRole('dialog', { name: '确认兑换' });
  await ask.getByText(`用 5 积分兑换「咖啡券」？兑换后余额 ${afterCheckin - 5}。`).waitFor();
  await ask.getByRole('button', { name: '取消' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.equal(Number(await page.locator('#balance').textContent()), afterCheckin);
  await buy.click();
  await ask.getByRole('button', { name: '兑换' }).click();
  await page.locator('#orders li', { hasText: '咖啡券' }).waitFor();
  assert.equal(Number(await page.locator('#balance').textContent()), afterCheckin - 5);
  await page.locator('#history li.row').first().filter({ hasText: '兑换 咖啡券 × 1' }).waitFor();
  // agent3's upload that failed in processing, said in Chinese too
  assert.ok(state.failedId, 'the upload test ran first');
  assert.equal(await page.locator(`#my-clips li[data-id="${state.failedId}"] .form-error`).textContent(), '这不是视频文件');
  await page.locator('#toast').waitFor({ state: 'hidden' });
  await shot('13-me');
  // the language toggle switches the UI to English
  await page.click('#lang-toggle');
  await page.locator('#checkin', { hasText: 'Checked in today' }).waitFor();
  await page.locator('#history li.row', { hasText: `Daily check-in, day ${streak} of the streak` }).waitFor();
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('casereel.session')), null);
  assert.deepEqual(page.errors, []);
});

test('a new floor: the empty feed offers upload, the empty history says how to earn, the shop is stocked', { skip: missing }, async () => {
  const fresh = await startServer({ clips: 0, args: ['--transcode-workers', '0'] });
  try {
    await loginAs('agent7', fresh);
    const empty = page.locator('#feed .empty');
    await empty.getByText('这里还没有视频。录一段你处理过的案例，让大家一起学习吧。').waitFor();
    await empty.getByRole('link', { name: '上传案例' }).click();
    await page.locator('.tab.active[data-tab=upload]').waitFor();
    await page.click('.tab[data-tab=me]');
    await page.locator('#history .history-empty', { hasText: '每日签到、看完视频、答对测验都能赚积分' }).waitFor();
    // the demo's shop: items to redeem, the ones out of reach say what is missing
    const rows = page.locator('#shop li.row');
    await rows.first().waitFor();
    assert.ok(await rows.count() >= 3, 'the demo shop ships stocked');
    assert.equal(await page.locator('#shop li.unaffordable').count(), await rows.count(), 'with no points yet, nothing is affordable');
    await page.locator('#shop li.unaffordable button', { hasText: /^还差 \d+ 积分$/ }).first().waitFor();
    await shot('18-new-floor');
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx?.close().catch(() => {});
    ctx = undefined;
    await fresh.dispose();
  }
});

test('me: refusals in the UI language: a second check-in, an item that costs more than the balance', { skip: missing }, async () => {
  const admin = await login(s, 'admin');
  const item = await api(s, 'POST', '/api/v1/shop/items', { token: admin, json: { name: '平板电脑', description: '年度之星', price: 9000000, stock: 1 } });
  assert.equal(item.status, 201, item.body);
  await loginAs('agent6');
  await page.click('.tab[data-tab=me]');
  await page.locator('#checkin:enabled').waitFor();
  // agent6 checks in on another device after this page loaded: the button here is still enabled
  const agent = await login(s, 'agent6');
  const r = await api(s, 'POST', '/api/v1/me/checkin', { token: agent, headers: { 'Idempotency-Key': 'web-test-agent6-checkin' } });
  assert.equal(r.status, 201, r.body);
  await page.click('#checkin');
  await toast().filter({ hasText: '签到' }).waitFor();
  assert.equal(await toast().textContent(), '今天已经签到过了，明天再来吧');
  // the server answered in English (API clients and logs rely on it); the page said it in Chinese
  // an item the balance cannot pay looks it, says what is missing, and asks nothing
  const buy = page.locator(`#shop button[data-item="${item.json.id}"]`);
  const balance = Number(await page.locator('#balance').textContent());
  assert.equal(await buy.textContent(), `还差 ${9000000 - balance} 积分`);
  assert.equal(await buy.getAttribute('aria-disabled'), 'true');
  assert.equal(await page.locator('#shop li.unaffordable', { has: page.locator(`button[data-item="${item.json.id}"]`) }).count(), 1);
  await buy.click({ force: true }); // a tap on it anyway
  await toast().filter({ hasText: '积分' }).waitFor();
  assert.equal(await toast().textContent(), '积分不足');
  assert.equal(await page.getByRole('dialog').count(), 0);
  await page.locator(`#shop button[data-item="${item.json.id}"]:enabled`).waitFor();
  await shot('17-me-refusal');
  // the same refusal after switching to English
  await page.click('#lang-toggle');
  await page.locator('#lang-toggle', { hasText: '中文' }).waitFor();
  await page.locator('#view-me[data-ready="1"]').waitFor();
  await buy.click({ force: true });
  await toast().filter({ hasText: 'points' }).waitFor();
  assert.equal(await toast().textContent(), 'Not enough points');
  const order = await api(s, 'POST', '/api/v1/shop/orders', { token: agent, headers: { 'Idempotency-Key': 'web-test-agent6-order' }, json: { item_id: item.json.id, quantity: 1 } });
  assert.equal(problemSlug(order.json), 'insufficient-points');
  assert.match(order.json.detail, /^this order costs 9000000 points; you have \d+$/);
  assert.deepEqual(page.errors, []);
});
