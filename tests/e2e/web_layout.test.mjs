// Layout on a 390 px phone (chromium), in Chinese and English: a title
// without a single space never makes a page wider than the screen, and the
// trainer's sub-tabs, wider than the screen, fade at the edge where more of
// them waits and follow the scroll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession, screenshots } from './lib/browser.mjs';

let s, browser, session;
const LONG = `Refund${'Escalation'.repeat(9)}Case`; // 100 characters, no space

before(async () => {
  if (browserMissing) return;
  s = await startServer({ clips: 0, args: ['--transcode-workers', '1'] });
  const clip = readFileSync(makeClip('web-layout.mp4', { seconds: 2, size: '360x640' }));
  const agent = await login(s, 'agent2');
  for (const title of [LONG, `${LONG.slice(0, 90)}Published`]) {
    const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}`, { token: agent, body: clip, headers: { 'content-type': 'video/mp4' } });
    assert.equal(r.status, 202, r.body);
    await waitForVideo(s, agent, r.json.id);
    if (title !== LONG) {
      const ok = await api(s, 'POST', `/api/v1/videos/${r.json.id}/review`, { token: await login(s, 'trainer1'), json: { decision: 'approve' } });
      assert.equal(ok.status, 200, ok.body);
    }
  }
  browser = await launchBrowser();
});

after(async () => {
  await session?.ctx.close().catch(() => {});
  await browser?.close().catch(() => {});
  await s?.dispose();
});

const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

for (const lang of ['zh', 'en']) {
  test(`long titles wrap and the trainer's sub-tabs show that they scroll (${lang})`, { skip: browserMissing }, async () => {
    await session?.ctx.close();
    session = await phoneSession(browser, s, 'trainer1', { lang });
    const { page } = session;
    // the feed's published clip and the review card of the pending one
    await page.locator('.slide h2.title').first().waitFor();
    assert.ok(await pageWidth(page) <= 390, `feed is ${await pageWidth(page)} px wide`);
    await page.click('a[data-tab=trainer]');
    const card = page.locator('.review-card').first();
    await card.waitFor();
    assert.ok(await pageWidth(page) <= 390, `review is ${await pageWidth(page)} px wide`);
    const box = await card.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the card fits: ${JSON.stringify(box)}`);
    const bar = page.locator('nav.subtabs');
    assert.ok(await bar.evaluate((b) => b.scrollWidth > b.clientWidth), 'more sub-tabs than the screen holds');
    assert.equal(await bar.getAttribute('class'), 'subtabs more-right', 'faded on the right, where more waits');
    await page.screenshot({ path: join(screenshots, `22-trainer-subtabs-${lang}.png`) });
    await bar.evaluate((b) => b.scrollTo({ left: b.scrollWidth }));
    await page.waitForFunction(() => document.querySelector('nav.subtabs').className === 'subtabs more-left');
    // the last sub-tab, once chosen, is in view
    await bar.locator('button').last().click();
    const last = await bar.locator('button').last().boundingBox();
    assert.ok(last.x + last.width <= 390 + 1, 'the chosen sub-tab is in view');
    await page.click('a[data-tab=me]');
    await page.locator('#view-me[data-ready="1"]').waitFor();
    assert.ok(await pageWidth(page) <= 390, `me is ${await pageWidth(page)} px wide`);
    assert.deepEqual(session.page.errors, []);
  });
}
