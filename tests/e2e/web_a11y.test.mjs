// Accessibility of every main screen in a real browser (chromium, 390x844),
// in Chinese and in English: axe-core runs in the page with no rule and no
// selector left out, and no screen may have a critical or serious
// violation. Then what axe cannot see: sheets are modal dialogs that take
// the focus and give it back (Escape and Back close them), the clip is a
// button the keyboard reaches whose label says play or pause, and every
// page has one h1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer, api, login } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForDemo, waitForVideo } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession } from './lib/browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let s, browser, session, pendingId, quizClip;

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 2, args: ['--transcode-workers', '2'] });
  await waitForDemo(s);
  // agent2's own clip waits for review: a row in My clips, the clip screen, a card in the trainer's queue
  const agent = await login(s, 'agent2');
  const up = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent('Refund call, angry caller')}`,
    { token: agent, body: readFileSync(makeClip('web-a11y.mp4', { seconds: 2, size: '360x640' })), headers: { 'content-type': 'video/mp4' } });
  assert.equal(up.status, 202, up.body);
  pendingId = (await waitForVideo(s, agent, up.json.id)).id;
  // a feed clip with a quiz
  const trainer = await login(s, 'trainer1');
  quizClip = (await api(s, 'GET', '/api/v1/feed?limit=5', { token: agent })).json.items[0];
  const q = await api(s, 'PUT', `/api/v1/videos/${quizClip.id}/quiz`, { token: trainer, json: { questions: [
    { text: 'What does the caller need first?', choices: ['An apology', 'A refund form'], answer: 0 }] } });
  assert.equal(q.status, 200, q.body);
  browser = await launchBrowser();
});

after(async () => {
  await session?.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

/** Runs axe on the page as it is; resolves with its critical and serious
 *  violations as [{id, impact, targets}]. */
async function axe(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axeSource });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Checks one screen: `found` collects "screen: rule (impact) targets" lines. */
async function check(page, screen, found, counts) {
  const h1 = await page.locator('h1').count();
  if (h1 !== 1) found.push(`${screen}: ${h1} h1 elements, not one`);
  const v = await axe(page);
  const nodes = (impact) => v.filter((x) => x.impact === impact).reduce((n, x) => n + x.targets.length, 0);
  counts[screen] = `${nodes('critical')} critical, ${nodes('serious')} serious`;
  for (const x of v) found.push(`${screen}: ${x.id} (${x.impact}) ${x.targets.join(', ')}`);
}

/** Opens #`hash` and waits for its view to be ready. */
async function open(page, hash, name = hash.split('/')[0]) {
  await page.evaluate((x) => { location.hash = x; }, hash);
  await page.locator(`#view-${name}[data-ready="1"]`).waitFor();
}

async function newSession(user, lang) {
  await session?.ctx.close();
  session = await phoneSession(browser, s, user, { lang, context: { bypassCSP: true } }); // axe comes in as a script of its own
  return session.page;
}

for (const lang of ['zh', 'en']) {
  test(`${lang}: axe finds no critical or serious violation on any main screen`, { skip: browserMissing }, async () => {
    const found = [];
    const counts = {};
    // the login screen, before anyone is logged in
    await session?.ctx.close();
    session = null;
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
    const pre = await ctx.newPage();
    await pre.goto(s.url + '/');
    await pre.evaluate((l) => localStorage.setItem('casereel.lang', l), lang);
    await pre.reload();
    await pre.locator('#login-form').waitFor();
    await check(pre, 'login', found, counts);
    await ctx.close();

    const page = await newSession('agent2', lang);
    await page.locator('.slide').first().waitFor();
    await check(page, 'feed', found, counts);
    const slide = page.locator('.slide').first();
    await slide.locator('.action.comments').click();
    await page.locator('.comments-sheet .comment-list').waitFor();
    await page.locator('.comments-sheet .comments-more').waitFor({ state: 'detached' });
    await check(page, 'comments', found, counts);
    await page.keyboard.press('Escape');
    await page.locator('.comments-sheet').waitFor({ state: 'detached' });
    await slide.locator('.action.tip').click();
    await page.locator('.tip-sheet .gift').first().waitFor();
    await check(page, 'tips', found, counts);
    await page.goBack(); // the Back gesture closes a sheet
    await page.locator('.tip-sheet').waitFor({ state: 'detached' });
    // the quiz a finished clip opens
    await page.evaluate(async (id) => {
      const main = document.querySelector('script[type=module]').src;
      const { openQuiz } = await import(new URL('./feed_sheets.js', main));
      openQuiz({ id });
    }, quizClip.id);
    await page.locator('.quiz-sheet fieldset').waitFor();
    await check(page, 'quiz', found, counts);
    await page.keyboard.press('Escape');
    await page.locator('.quiz-sheet').waitFor({ state: 'detached' });

    for (const screen of ['upload', 'me', 'inbox', 'search', `clip/${pendingId}`]) {
      await open(page, screen);
      if (screen === 'search') {
        await page.locator('#view-search input[type=search]').fill('refund');
        await page.locator('#view-search input[type=search]').press('Enter');
        await page.locator('#search-results li').first().waitFor();
      }
      await check(page, screen.split('/')[0], found, counts);
    }
    // the login dialog an ended session brings over the open screen
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('casereel.session')).token);
    assert.equal((await api(s, 'POST', '/api/v1/auth/logout', { token })).status, 204);
    await page.evaluate(async () => { // a request of the clip screen's meets the 401
      const { get } = await import(new URL('./api.js', document.querySelector('script[type=module]').src));
      window.answered = get('/api/v1/me');
    });
    await page.locator('.login-sheet input[name=password]').waitFor();
    await check(page, 'login again', found, counts);
    await page.locator('.login-sheet input[name=password]').fill('demo1234');
    await page.locator('.login-sheet button[type=submit]').click();
    assert.equal(await page.evaluate(() => window.answered.then((me) => me.username)), 'agent2');

    // the trainer's pages and the admin's, each sub-tab
    const tp = await newSession('admin', lang);
    for (const screen of ['trainer', 'admin']) {
      await open(tp, screen);
      for (const name of await tp.locator('nav.subtabs button').evaluateAll((bs) => bs.map((b) => b.dataset.page))) {
        await tp.click(`nav.subtabs button[data-page=${name}]`);
        await tp.locator(`#${screen}-body > :not(.loading)`).first().waitFor();
        await tp.waitForTimeout(200); // charts and lists that fill in after the page
        await check(tp, `${screen} ${name}`, found, counts);
      }
    }
    console.log(`axe, ${lang}:\n${Object.entries(counts).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    assert.deepEqual(found, [], `critical or serious violations:\n${found.join('\n')}`);
  });
}

test('sheets are modal dialogs: they take the focus, Escape and Back close them, the focus goes back', { skip: browserMissing }, async () => {
  const page = await newSession('agent2', 'en');
  const button = page.locator('.slide').first().getByRole('button', { name: /^Comments \d+$/ });
  await button.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Comments' });
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'the focus is in the sheet');
  // the page under it cannot be reached: Tab stays in the sheet
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement.closest('[role=dialog]') || document.activeElement === document.body),
      `Tab ${i + 1} left the sheet for ${await page.evaluate(() => document.activeElement.outerHTML.slice(0, 80))}`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await button.evaluate((b) => b === document.activeElement), 'the focus is back on the button that opened it');
  // Back closes it too, and leaves the app where it was
  await button.click();
  await dialog.waitFor();
  const url = page.url();
  await page.goBack();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(page.url(), url);
  await page.locator('#view-feed[data-ready="1"]').waitFor();
  assert.deepEqual(session.page.errors, []);
});

test('the clip is a button the keyboard reaches, its label saying what it does', { skip: browserMissing }, async () => {
  const page = await newSession('agent2', 'en');
  const stage = page.locator('.slide').first().locator('.stage');
  await page.waitForFunction(() => { const v = document.querySelector('.slide video'); return v && !v.paused && v.currentTime > 0.2; });
  assert.equal(await stage.getAttribute('role'), 'button');
  assert.equal(await stage.getAttribute('aria-label'), 'Tap for sound', 'playing muted: a press turns the sound on');
  await stage.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.slide video').muted);
  await page.locator('.slide').first().locator('.stage[aria-label="Pause"]').waitFor();
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('.slide video').paused);
  await page.locator('.slide').first().locator('.stage[aria-label="Tap to play"]').waitFor();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.slide video').paused);
  // the mute button says what it does too
  assert.equal(await page.locator('.slide').first().locator('.action.mute').getAttribute('aria-label'), 'Mute');
});
