// The feed spends a phone's data on what is watched: while someone swipes,
// only the clip on screen and the start of the next one load, and hls.js
// is fetched only by a browser that cannot play HLS itself. (The timings
// are bench/web_feed.mjs's job; this checks the behaviour behind them.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverPool } from './lib/server.mjs';
import { waitForDemo } from './lib/poll.mjs';
import { browserMissing, launchBrowser, phoneSession } from './lib/browser.mjs';

const CLIPS = 8; // none of them agent3's
let s, browser;
const server = serverPool(after);

before(async () => {
  if (browserMissing) return;
  s = await server({ clips: CLIPS });
  await waitForDemo(s);
  browser = await launchBrowser();
});
after(() => browser?.close());

/** agent3 logged in on a phone, `setup(ctx)` run before the first page;
 *  `fetched` lists every URL its pages asked for (their service worker's
 *  own fetches aside). */
async function phone(setup) {
  const fetched = [];
  const { ctx, page } = await phoneSession(browser, s, 'agent3', {
    context: {}, beforeGoto: async (c) => { c.on('request', (r) => { if (!r.serviceWorker()) fetched.push(r.url()); }); await setup?.(c); },
  });
  return { ctx, page, fetched };
}

/** Swipes to clip `i` and waits until it plays. */
async function swipeTo(page, i) {
  await page.evaluate(() => { const f = document.getElementById('feed'); f.scrollBy(0, f.clientHeight); });
  await page.waitForFunction((j) => {
    const v = document.querySelectorAll('#feed .slide video')[j];
    return v && !v.paused && v.currentTime > 0;
  }, i, { timeout: 20000 });
}

/** Which clips hold media now (a source loading or loaded, not just a
 *  poster), and how each is told to preload. */
const holding = (page) => page.$$eval('#feed .slide video', (vs) => vs
  .map((v, i) => ({ i, src: v.networkState === v.NETWORK_EMPTY ? '' : v.currentSrc, preload: v.preload }))
  .filter((x) => x.src));

test('while swiping, only the clip on screen and the start of the next one load; hls.js is not fetched where HLS plays natively', { skip: browserMissing }, async () => {
  const { ctx, page, fetched } = await phone();
  try {
    assert.ok(await page.evaluate(() => document.createElement('video').canPlayType('application/vnd.apple.mpegurl')),
      'this browser plays HLS itself');
    await page.waitForFunction(() => { const v = document.querySelector('#feed .slide video'); return v && v.currentTime > 0; }, null, { timeout: 20000 });
    for (let i = 1; i < CLIPS - 1; i++) {
      await swipeTo(page, i);
      const held = await holding(page);
      assert.deepEqual(held.map((x) => x.i), [i, i + 1], `after swipe ${i}, clips holding media: ${JSON.stringify(held)}`);
      assert.equal(held[0].preload, 'auto', 'the clip on screen loads as it plays');
      assert.notEqual(held[1].preload, 'auto', 'the next clip loads its start only');
    }
    assert.deepEqual(fetched.filter((u) => /hls[.\w]*\.js/.test(u)), [], 'hls.js is never fetched');
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.close();
  }
});

test('without native HLS, hls.js is fetched once and the next clip buffers only its start', { skip: browserMissing }, async () => {
  const { ctx, page, fetched } = await phone((c) => c.addInitScript(() => {
    // a browser without HLS of its own (as Chromium was before it had one)
    const can = HTMLMediaElement.prototype.canPlayType;
    HTMLMediaElement.prototype.canPlayType = function (type) { return /mpegurl/i.test(type) ? '' : can.call(this, type); };
  }));
  try {
    // the first clip plays through hls.js (a blob: source from MediaSource)
    await page.waitForFunction(() => {
      const v = document.querySelector('#feed .slide video');
      return v && v.currentSrc.startsWith('blob:') && v.currentTime > 2;
    }, null, { timeout: 20000 });
    // the next clip, 6 s long, has its first segment (2 s) and no more
    const next = () => page.evaluate(() => {
      const v = document.querySelectorAll('#feed .slide video')[1];
      return { end: v.buffered.length ? v.buffered.end(v.buffered.length - 1) : 0, duration: v.duration };
    });
    await page.waitForFunction(() => {
      const v = document.querySelectorAll('#feed .slide video')[1];
      return v.buffered.length > 0;
    }, null, { timeout: 20000 });
    await page.waitForTimeout(2000); // time enough to fetch the whole clip, were it asked for
    const b = await next();
    assert.ok(b.duration >= 5.5, `the demo clip is 6 s long, not ${b.duration}`);
    assert.ok(b.end <= 4.1, `the next clip buffered ${b.end} s of ${b.duration}`);
    assert.equal(fetched.filter((u) => u.endsWith('/hls.min.js')).length, 1, 'hls.js is fetched once');
    assert.deepEqual(page.errors, []);
  } finally {
    await ctx.close();
  }
});
