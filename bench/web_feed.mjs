// The web feed on a phone network, measured: Debian's chromium (through
// playwright-core and the Chrome DevTools Protocol) on a 390x844 phone with
// emulated 4G (20 Mb/s down, 5 Mb/s up, 60 ms round trip) and a 4x CPU
// slowdown, against the real server with the demo feed. It prints one row
// per goal, with the goal and whether it is met:
//   - login to the first frame of the first clip (requestVideoFrameCallback);
//   - swipe to the first new frame of the next clip, p50 and p95 over the
//     swipes, one swipe every 1.5 s;
//   - bytes transferred per swipe at that pace (every request of the page:
//     media, API and shell, CDP Network.loadingFinished encodedDataLength);
//   - app shell bytes (page, scripts, styles, service worker and what it
//     caches; not API answers or media) on a first and on a repeat visit.
// The demo makes 16 clips; the bench publishes copies of them (uploaded and
// approved through the API) until the viewer's feed holds a clip per swipe.
//
// usage: make all && node bench/web_feed.mjs [--swipes 30] [--pace 1500] [--user agent3]
//   [--data DIR] (keep the server's data there and reuse it next time: the
//   clips are made once; a viewer who has watched them all may see fewer)
//   [--verbose] (the swipes' bytes by path)
//   CHROMIUM=/path/to/chromium overrides /usr/bin/chromium.
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login } from '../tests/e2e/lib/server.mjs';
import { waitForDemo, waitForVideo } from '../tests/e2e/lib/poll.mjs';
import { launchBrowser, browserMissing } from '../tests/e2e/lib/browser.mjs';

const { values: opt } = parseArgs({ options: {
  swipes: { type: 'string', default: '30' },
  pace: { type: 'string', default: '1500' },
  user: { type: 'string', default: 'agent3' },
  data: { type: 'string' },
  verbose: { type: 'boolean', default: false },
} });
const SWIPES = Number(opt.swipes);
const PACE_MS = Number(opt.pace);
const USER = opt.user;
const NET = { offline: false, latency: 60, downloadThroughput: 20e6 / 8, uploadThroughput: 5e6 / 8 };
const CPU_SLOWDOWN = 4;
const GOALS = {
  login: 1500, swipeP50: 150, swipeP95: 400, bytesPerSwipe: 1e6, shellFirst: 300e3, shellRepeat: 20e3,
};

if (browserMissing) { console.error(`bench/web_feed: ${browserMissing}`); process.exit(2); }

/** Publishes copies of the demo clips (uploaded by their makers, approved by
 *  trainer1) until `user`'s feed has at least `want` clips. */
async function stockFeed(s, user, want) {
  const viewer = await login(s, user);
  const feedCount = async () => (await api(s, 'GET', '/api/v1/feed?limit=50', { token: viewer })).json.items.length;
  let have = await feedCount();
  if (have >= want) return have;
  const trainer = await login(s, 'trainer1');
  const makers = ['agent1', 'agent2', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8'].filter((u) => u !== user);
  const tokens = await Promise.all(makers.map((u) => login(s, u)));
  const sources = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: viewer })).json.items;
  const pending = [];
  for (let k = 0; have + pending.length < want; k++) {
    const src = sources[k % sources.length];
    const mp4 = Buffer.from(await (await fetch(new URL(src.urls.mp4, s.url))).arrayBuffer());
    const token = tokens[k % tokens.length];
    const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(`${src.title} (${k + 2})`)}`,
      { token, body: mp4, headers: { 'content-type': 'video/mp4' } });
    if (r.status !== 202) throw new Error(`upload: ${r.status} ${r.body}`);
    pending.push({ id: r.json.id, token });
  }
  for (const { id, token } of pending) {
    const v = await waitForVideo(s, token, id, { timeoutMs: 300000 });
    if (v.status !== 'pending_review') throw new Error(`clip ${id}: ${v.status} ${v.error || ''}`);
    const ok = await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: trainer, json: { decision: 'approve' } });
    if (ok.status !== 200) throw new Error(`review ${id}: ${ok.status} ${ok.body}`);
  }
  return feedCount();
}

// In the page from its first byte: when the login form is submitted, and
// the first frame any clip presents after that.
function instrument() {
  const b = (window.__bench = { submitAt: null, firstFrameAt: null });
  document.addEventListener('submit', (e) => {
    if (e.target.id === 'login-form' && b.submitAt === null) b.submitAt = performance.now();
  }, true);
  const watch = (v) => {
    if (v.__benchWatched) return;
    v.__benchWatched = true;
    const onFrame = () => {
      if (b.submitAt !== null && b.firstFrameAt === null) b.firstFrameAt = performance.now();
      else if (b.firstFrameAt === null) v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  };
  new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (n.nodeName === 'VIDEO') watch(n);
      else n.querySelectorAll?.('video').forEach(watch);
    }
  }).observe(document, { subtree: true, childList: true });
}

/** Counts the bytes of every request `page` finishes (CDP), by kind. */
async function meter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NET);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const urls = new Map();
  const m = { cdp, bytes: { shell: 0, api: 0, media: 0 }, requests: { shell: 0, api: 0, media: 0 }, byPath: new Map() };
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const k = kindOf(urls.get(e.requestId) || '');
    m.bytes[k] += e.encodedDataLength;
    m.requests[k]++;
    const path = (urls.get(e.requestId) || '?').replace(/^https?:\/\/[^/]+/, '').replace(/\?.*/, '');
    const [n, b] = m.byPath.get(path) || [0, 0];
    m.byPath.set(path, [n + 1, b + e.encodedDataLength]);
  });
  m.reset = () => { for (const k of Object.keys(m.bytes)) { m.bytes[k] = 0; m.requests[k] = 0; } m.byPath.clear(); };
  m.total = () => m.bytes.shell + m.bytes.api + m.bytes.media;
  return m;
}

function kindOf(url) {
  const p = url.startsWith('data:') || url.startsWith('blob:') ? '/media/' : new URL(url).pathname;
  return p.startsWith('/api/') ? 'api' : p.startsWith('/media/') || /\.(m3u8|ts|m4s|mp4|vtt|jpg)$/.test(p) ? 'media' : 'shell';
}

/** Bytes the context's service workers fetched for the shell (their own
 *  requests are not the page's, so CDP on the page does not see them). */
function workerMeter(ctx) {
  const w = { bytes: 0, requests: 0 };
  ctx.on('requestfinished', async (req) => {
    if (!req.serviceWorker() || kindOf(req.url()) !== 'shell') return;
    const sz = await req.sizes().catch(() => null);
    if (sz) { w.bytes += sz.responseBodySize + sz.responseHeadersSize; w.requests++; }
  });
  return w;
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

async function main() {
  const t0 = Date.now();
  if (opt.data) mkdirSync(opt.data, { recursive: true });
  const s = await startServer({ clips: 16, testHooks: false, args: ['--transcode-workers', '2'], ...(opt.data ? { dataDir: opt.data } : {}) });
  let browser;
  try {
    await waitForDemo(s, { timeoutMs: 600000 });
    const clips = await stockFeed(s, USER, SWIPES + 2);
    console.error(`bench/web_feed: server ${s.url}, ${clips} clips in ${USER}'s feed (${((Date.now() - t0) / 1000).toFixed(0)} s to set up)`);

    browser = await launchBrowser();
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    await ctx.addInitScript(instrument);
    const worker = workerMeter(ctx);
    const page = await ctx.newPage();
    const m = await meter(page);

    // first visit: the login screen, and the service worker done installing
    await page.goto(s.url + '/');
    await page.locator('#login-form').waitFor();
    await page.evaluate(() => navigator.serviceWorker?.ready).catch(() => {});
    await sleep(1500);
    const shellFirst = m.bytes.shell + worker.bytes;
    const shellFirstDetail = `${m.requests.shell} page + ${worker.requests} worker requests`;

    // login to the first frame
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', 'demo1234');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => window.__bench.firstFrameAt !== null, null, { timeout: 30000, polling: 50 });
    const loginMs = await page.evaluate(() => window.__bench.firstFrameAt - window.__bench.submitAt);

    // swipes, one every PACE_MS
    await sleep(PACE_MS);
    m.reset();
    const swipeMs = [];
    for (let k = 1; k <= SWIPES; k++) {
      const started = Date.now();
      await page.waitForFunction((i) => document.querySelectorAll('#feed .slide video')[i], k, { timeout: 30000 });
      const ms = await page.evaluate((i) => new Promise((resolve) => {
        const feed = document.getElementById('feed');
        const slide = feed.querySelectorAll('.slide')[i];
        const v = slide.querySelector('video');
        const at = performance.now();
        const timer = setTimeout(() => resolve(null), 10000);
        v.requestVideoFrameCallback(() => { clearTimeout(timer); resolve(performance.now() - at); });
        feed.scrollTo({ top: slide.offsetTop, behavior: 'instant' });
      }), k);
      swipeMs.push(ms ?? Infinity);
      await sleep(Math.max(0, PACE_MS - (Date.now() - started)));
    }
    const swipeBytes = { ...m.bytes };
    if (opt.verbose) {
      for (const [path, [n, b]] of [...m.byPath].sort((x, y) => y[1][1] - x[1][1]))
        console.log(`${String(b).padStart(9)} B  ${String(n).padStart(3)}x  ${path}`);
    }
    const perSwipe = m.total() / SWIPES;

    // repeat visit: the same phone opens the app again
    const again = await ctx.newPage();
    const m2 = await meter(again);
    const w0 = worker.bytes;
    await again.goto(s.url + '/');
    await again.locator('#view-feed[data-ready="1"], #login-form').first().waitFor();
    await sleep(1500);
    const shellRepeat = m2.bytes.shell + worker.bytes - w0;

    const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
    const ms = (n) => (Number.isFinite(n) ? `${Math.round(n)} ms` : 'no frame');
    const rows = [
      ['login → first frame', ms(loginMs), `≤ ${GOALS.login} ms`, loginMs <= GOALS.login],
      [`swipe → first frame p50 (${SWIPES} swipes)`, ms(quantile(swipeMs, 0.5)), `≤ ${GOALS.swipeP50} ms`, quantile(swipeMs, 0.5) <= GOALS.swipeP50],
      [`swipe → first frame p95 (${SWIPES} swipes)`, ms(quantile(swipeMs, 0.95)), `≤ ${GOALS.swipeP95} ms`, quantile(swipeMs, 0.95) <= GOALS.swipeP95],
      [`bytes per swipe (one per ${PACE_MS / 1000} s)`, kb(perSwipe), `≤ ${kb(GOALS.bytesPerSwipe)}`, perSwipe <= GOALS.bytesPerSwipe],
      ['app shell, first visit (compressed)', kb(shellFirst), `≤ ${kb(GOALS.shellFirst)}`, shellFirst <= GOALS.shellFirst],
      ['app shell, repeat visit', kb(shellRepeat), `≤ ${kb(GOALS.shellRepeat)}`, shellRepeat <= GOALS.shellRepeat],
    ];
    const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length), ['metric', 'value', 'goal'][c].length));
    const line = (cells) => cells.map((c, i) => (i < 3 ? String(c).padEnd(w[i]) : c)).join('  ');
    console.log(`web feed on 4G (20/5 Mb/s, 60 ms), CPU ${CPU_SLOWDOWN}x slower, 390x844; ${(await browser.version())}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(line(['metric', 'value', 'goal', 'met']));
    for (const r of rows) console.log(line([r[0], r[1], r[2], r[3] ? 'yes' : 'NO']));
    console.log(`swipes (ms): ${swipeMs.map((x) => (Number.isFinite(x) ? Math.round(x) : '-')).join(' ')}`);
    console.log(`swipe bytes: media ${kb(swipeBytes.media)}, api ${kb(swipeBytes.api)}, shell ${kb(swipeBytes.shell)}; first visit shell: ${shellFirstDetail}`);
    await ctx.close();
  } finally {
    await browser?.close().catch(() => {});
    await s.dispose();
  }
}

await main();
