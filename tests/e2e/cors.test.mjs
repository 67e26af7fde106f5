// Cross-origin use and CDN-friendly media: a page on another origin plays a
// published clip with hls.js and with Shaka Player and uploads one with
// tus-js-client (real chromium); preflights and headers for media (any
// origin) and the API (--cors-origins only); --media-base-url in the URLs
// and the web client's CSP; pending media is never cached; a new rendering
// is a new media version whose old links keep their old bytes until the
// janitor retires them (then 404, never new bytes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api, login, expectProblem, runMaintenance, binDir, repoRoot } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { publishClip, waitForVideo } from './lib/poll.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const modules = join(repoRoot, 'tests/node_modules');
const scripts = {
  '/hls.js': join(modules, 'hls.js/dist/hls.min.js'),
  '/shaka.js': join(modules, 'shaka-player/dist/shaka-player.compiled.js'),
  '/tus.js': join(modules, 'tus-js-client/dist/tus.min.js'),
};
const noBrowser = !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM} (make deps)`
  : Object.values(scripts).find((f) => !existsSync(f)) ? 'tests/node_modules is incomplete (make deps)' : false;

const ELSEWHERE = 'https://elsewhere.example';
let s, page, pageOrigin, browser, clip, tok = {}, published;

/** The other origin: a tiny page with the three players' scripts, and the
 *  clip to upload. */
function startPageServer() {
  const html = `<!doctype html><meta charset="utf-8"><title>elsewhere</title>
    ${Object.keys(scripts).map((p) => `<script src="${p}"></script>`).join('')}<body></body>`;
  const srv = http.createServer((req, res) => {
    const file = scripts[req.url];
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (file) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
    else if (req.url === '/clip.mp4') res.writeHead(200, { 'content-type': 'video/mp4' }).end(clip);
    else res.writeHead(404).end();
  });
  return new Promise((res) => srv.listen(0, '127.0.0.1', () => res(srv)));
}

const preflight = (path, origin, method, headers = '') => api(s, 'OPTIONS', path, {
  headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
});
const list = (h) => (h || '').split(',').map((x) => x.trim().toLowerCase());

let pageServer;
before(async () => {
  clip = readFileSync(makeClip('cors.mp4', { seconds: 2, size: '360x640' }));
  pageServer = await startPageServer();
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  s = await startServer({ args: ['--transcode-workers', '1', '--cors-origins', `https://app.example.com, ${pageOrigin}`] });
  for (const u of ['agent1', 'trainer1']) tok[u] = await login(s, u);
  published = await publishClip(s, { creator: tok.agent1, trainer: tok.trainer1, clip, title: 'Cross-origin clip' });
  published = (await api(s, 'GET', `/api/v1/videos/${published}`, { token: tok.agent1 })).json;
});

after(async () => {
  await browser?.close().catch(() => {});
  pageServer?.close();
  await s?.dispose();
});

test('media answers every origin: Allow-Origin *, readable Range headers, a preflight without a login', async () => {
  const r = await api(s, 'GET', published.urls.mp4, { headers: { origin: ELSEWHERE, range: 'bytes=0-99' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  const exposed = list(r.headers.get('access-control-expose-headers'));
  for (const h of ['content-range', 'content-length', 'accept-ranges', 'etag']) assert.ok(exposed.includes(h), h);

  const p = await preflight(published.urls.hls, ELSEWHERE, 'GET', 'range');
  assert.equal(p.status, 204, p.body);
  assert.equal(p.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(list(p.headers.get('access-control-allow-methods')), ['get', 'head']);
  assert.ok(list(p.headers.get('access-control-allow-headers')).includes('range'));
  assert.ok(Number(p.headers.get('access-control-max-age')) >= 600);
  // a refusal can be read cross-origin too (the player can tell "expired" apart)
  const bad = await api(s, 'GET', published.urls.mp4.replace(/\/[^/]+\/720p\.mp4$/, '/AAAAAAAAAAAAAAAAAAAAAA/720p.mp4'), { headers: { origin: ELSEWHERE } });
  expectProblem(assert, bad, 403);
  assert.equal(bad.headers.get('access-control-allow-origin'), '*');
});

test('the API answers a listed origin: echoed with Vary: Origin, preflights list each route\'s methods', async () => {
  const origin = 'https://app.example.com';
  const p = await preflight('/api/v1/feed', origin, 'GET', 'authorization');
  assert.equal(p.status, 204, p.body);
  assert.equal(p.headers.get('access-control-allow-origin'), origin);
  assert.match(p.headers.get('vary') || '', /Origin/);
  assert.ok(list(p.headers.get('access-control-allow-methods')).includes('get'));
  const allowed = list(p.headers.get('access-control-allow-headers'));
  for (const h of ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'x-http-method-override',
    'upload-offset', 'upload-length', 'upload-metadata', 'upload-checksum', 'upload-defer-length', 'upload-concat', 'tus-resumable'])
    assert.ok(allowed.includes(h), h);
  assert.ok(Number(p.headers.get('access-control-max-age')) > 0);

  // tus: creation and the upload resource
  const create = await preflight('/api/v1/uploads', origin, 'POST', 'tus-resumable, upload-length, upload-metadata');
  assert.equal(create.status, 204);
  assert.deepEqual(list(create.headers.get('access-control-allow-methods')).sort(), ['options', 'post']);
  const resource = await preflight('/api/v1/uploads/0123456789abcdef0123456789abcdef', origin, 'PATCH');
  assert.deepEqual(list(resource.headers.get('access-control-allow-methods')).sort(), ['delete', 'get', 'head', 'options', 'patch']);
  // tus discovery (OPTIONS without Access-Control-Request-Method) is still tus
  const discovery = await api(s, 'OPTIONS', '/api/v1/uploads', { headers: { origin } });
  assert.equal(discovery.status, 204);
  assert.equal(discovery.headers.get('tus-version'), '1.0.0');
  assert.equal(discovery.headers.get('access-control-allow-origin'), origin);
  assert.ok(list(discovery.headers.get('access-control-expose-headers')).includes('tus-max-size'));

  // answers, refusals included, are readable by the listed origin
  const feed = await api(s, 'GET', '/api/v1/feed', { token: tok.agent1, headers: { origin } });
  assert.equal(feed.status, 200);
  assert.equal(feed.headers.get('access-control-allow-origin'), origin);
  const exposed = list(feed.headers.get('access-control-expose-headers'));
  for (const h of ['location', 'upload-offset', 'upload-length', 'upload-expires', 'tus-resumable', 'tus-version',
    'tus-extension', 'tus-max-size', 'tus-checksum-algorithm', 'x-request-id', 'retry-after'])
    assert.ok(exposed.includes(h), h);
  const anon = await api(s, 'GET', '/api/v1/feed', { headers: { origin } });
  expectProblem(assert, anon, 401);
  assert.equal(anon.headers.get('access-control-allow-origin'), origin);
});

test('an unlisted origin gets no CORS headers and its preflight a 403 problem; nothing changes', async () => {
  const p = await preflight('/api/v1/videos/1', ELSEWHERE, 'DELETE', 'authorization');
  expectProblem(assert, p, 403);
  assert.equal(p.json.type, `${s.url}/problems/cors-origin`);
  assert.equal(p.headers.get('access-control-allow-origin'), null);
  assert.equal(p.headers.get('access-control-allow-methods'), null);
  // a listed origin differs by nothing but exactness
  for (const o of ['https://app.example.com.evil.example', 'http://app.example.com', 'https://APP.example.com', 'null'])
    expectProblem(assert, await preflight('/api/v1/feed', o, 'GET'), 403);
  const r = await api(s, 'GET', '/api/v1/feed', { token: tok.agent1, headers: { origin: ELSEWHERE } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  assert.match(r.headers.get('vary') || '', /Origin/, 'caches must not reuse a listed origin\'s answer');
  // the clip the refused preflight asked to delete is still there
  assert.equal((await api(s, 'GET', `/api/v1/videos/${published.id}`, { token: tok.agent1 })).status, 200);
});

test('without --cors-origins the API answers no origin (today\'s behaviour); media still answers all', async () => {
  const plain = await startServer({ args: ['--transcode-workers', '0'] });
  try {
    const p = await api(plain, 'OPTIONS', '/api/v1/feed', { headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    expectProblem(assert, p, 403);
    const r = await api(plain, 'GET', '/api/v1/feed', { headers: { origin: 'https://app.example.com' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    assert.ok(!/origin/i.test(r.headers.get('vary') ?? ''), 'no Vary: Origin without CORS');
    const m = await api(plain, 'OPTIONS', '/media/v/1/1/1/x/master.m3u8', { headers: { origin: ELSEWHERE, 'access-control-request-method': 'GET' } });
    assert.equal(m.status, 204);
    assert.equal(m.headers.get('access-control-allow-origin'), '*');
  } finally {
    await plain.dispose();
  }
});

test('bad --cors-origins and --media-base-url values stop the start with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-cors-'));
  try {
    const start = (...args) => spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--data', join(dir, 'd'), ...args], { encoding: 'utf8', timeout: 10000 });
    const cases = [
      [['--cors-origins', '*'], /'\*' is not allowed/],
      [['--cors-origins', 'https://app.example.com/app'], /not an origin/],
      [['--cors-origins', 'https://app.example.com,'], /not an origin/],
      [['--cors-origins', 'ftp://app.example.com'], /not an origin/],
      [['--cors-origins', 'https://app.example.com:443'], /not an origin/],
      [['--media-base-url', 'https://cdn.example.com/'], /--media-base-url/],
      [['--media-base-url', 'cdn.example.com'], /--media-base-url/],
    ];
    for (const [args, message] of cases) {
      const r = start(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const env = spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--data', join(dir, 'd')],
      { encoding: 'utf8', timeout: 10000, env: { ...process.env, CASEREEL_CORS_ORIGINS: '*' } });
    assert.equal(env.status, 2, env.stderr);
    assert.equal(existsSync(join(dir, 'd')), false, 'a refused start makes no data directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--media-base-url: every signed URL is on the CDN, the path serves from the origin, the CSP allows it', async () => {
  const cdn = 'https://cdn.example.com';
  const c = await startServer({ args: ['--transcode-workers', '1'], env: { CASEREEL_MEDIA_BASE_URL: cdn } });
  try {
    const t = { agent1: await login(c, 'agent1'), trainer1: await login(c, 'trainer1') };
    const id = await publishClip(c, { creator: t.agent1, trainer: t.trainer1, clip, title: 'CDN clip' });
    const v = (await api(c, 'GET', `/api/v1/videos/${id}`, { token: t.agent1 })).json;
    const item = (await api(c, 'GET', '/api/v1/feed?limit=50', { token: t.trainer1 })).json.items.find((i) => i.id === id);
    const mine = (await api(c, 'GET', '/api/v1/me/videos', { token: t.agent1 })).json.items.find((i) => i.id === id);
    for (const urls of [v.urls, item.urls, mine.urls])
      for (const k of ['hls', 'mp4', 'poster', 'thumbnail'])
        assert.match(urls[k], new RegExp(`^${cdn}/media/v/${id}/1/\\d+/[\\w-]{22}/[a-z0-9]+\\.(m3u8|mp4|jpg)$`), `${k}: ${urls[k]}`);
    // the CDN forwards the path to this server, which serves it
    const r = await api(c, 'GET', new URL(v.urls.thumbnail).pathname);
    assert.equal(r.status, 200);
    const csp = (await api(c, 'GET', '/')).headers.get('content-security-policy');
    for (const d of ['img-src', 'media-src', 'connect-src'])
      assert.match(csp, new RegExp(`${d} [^;]*${cdn.replace(/\./g, '\\.')}`), `${d} in ${csp}`);
    assert.doesNotMatch(csp, /script-src[^;]*cdn/);
  } finally {
    await c.dispose();
  }
  // without it, URLs are relative and the CSP names no other origin
  assert.match(published.urls.hls, /^\/media\/v\/\d+\/1\//);
  assert.doesNotMatch((await api(s, 'GET', '/')).headers.get('content-security-policy'), /https?:/);
});

test('media pending review is private, no-store; published media is public and immutable', async () => {
  const up = await api(s, 'POST', '/api/v1/videos?title=Pending', { token: tok.agent1, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(up.status, 202, up.body);
  const v = await waitForVideo(s, tok.agent1, up.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  for (const k of ['hls', 'mp4', 'thumbnail']) {
    const r = await api(s, 'GET', v.urls[k], { token: tok.trainer1 });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'private, no-store', k);
  }
  const ok = await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: tok.trainer1, json: { decision: 'approve' } });
  assert.equal(ok.status, 200, ok.body);
  const r = await api(s, 'GET', v.urls.mp4);
  assert.match(r.headers.get('cache-control'), /^public, max-age=\d+, immutable$/);
});

test('a new rendering is a new media version: old links keep their bytes until the janitor, then 404, never new bytes', async () => {
  const before = (await api(s, 'GET', `/api/v1/videos/${published.id}`, { token: tok.agent1 })).json;
  assert.equal(before.urls.version, 1);
  const oldMp4 = Buffer.from(await (await fetch(s.url + before.urls.mp4)).arrayBuffer());
  const oldPoster = Buffer.from(await (await fetch(s.url + before.urls.poster)).arrayBuffer());

  // agents may not ask; a trainer may (the original is kept: --keep-source)
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${published.id}/renders`, { token: tok.agent1 }), 403);
  expectProblem(assert, await api(s, 'POST', '/api/v1/videos/999999/renders', { token: tok.trainer1 }), 404);
  // the original changed (stands for a redaction): the new version's bytes differ
  const src = JSON.parse(spawnSync('sqlite3', ['-json', join(s.dir, 'casereel.db'), `SELECT source_path FROM videos WHERE id = ${Number(published.id)}`], { encoding: 'utf8' }).stdout)[0].source_path;
  writeFileSync(join(s.dir, 'media', src), readFileSync(makeClip('cors-redacted.mp4', { seconds: 2, size: '480x640' })));
  const queued = await api(s, 'POST', `/api/v1/videos/${published.id}/renders`, { token: tok.trainer1 });
  assert.equal(queued.status, 202, queued.body);
  assert.equal(queued.json.media_version, 2);
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${published.id}/renders`, { token: tok.trainer1 }), 409);

  // the clip stays published and keeps serving version 1 until version 2 is done
  const after = await waitForVideo(s, tok.agent1, published.id, { done: (v) => v.urls?.version === 2 });
  assert.equal(after.status, 'published');
  assert.equal(after.width, 480);
  assert.match(after.urls.mp4, new RegExp(`/media/v/${published.id}/2/`));
  const newMp4 = Buffer.from(await (await fetch(s.url + after.urls.mp4)).arrayBuffer());
  assert.ok(!newMp4.equals(oldMp4), 'the new version has the new bytes');
  const old = await api(s, 'GET', before.urls.mp4);
  assert.equal(old.status, 200);
  assert.ok(Buffer.from(await (await fetch(s.url + before.urls.mp4)).arrayBuffer()).equals(oldMp4), 'the old URL keeps its old bytes');
  assert.ok(Buffer.from(await (await fetch(s.url + before.urls.poster)).arrayBuffer()).equals(oldPoster));
  assert.match(old.headers.get('cache-control'), /immutable/);

  // the janitor retires version 1 (--purge-after 0): 404, never the new bytes
  await runMaintenance(s);
  for (const k of ['mp4', 'hls', 'poster']) expectProblem(assert, await api(s, 'GET', before.urls[k]), 404);
  assert.equal(existsSync(join(s.dir, 'media/v', String(published.id), '1')), false);
  assert.ok((await api(s, 'GET', after.urls.mp4, { headers: { range: 'bytes=0-0' } })).status === 206);
  published = after;
});

test('in chromium, a page on another origin plays the clip with hls.js and Shaka Player and uploads with tus-js-client', { skip: noBrowser }, async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const ctx = await browser.newContext();
  page = await ctx.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(pageOrigin + '/');
  const master = s.url + published.urls.hls;

  const played = (engine) => page.evaluate(async ({ url, engine }) => {
    const v = document.createElement('video');
    v.muted = true;
    document.body.append(v);
    const errors = [];
    let player;
    if (engine === 'hls') {
      player = new Hls();
      player.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) errors.push(d.details); });
      player.loadSource(url);
      player.attachMedia(v);
    } else {
      shaka.polyfill.installAll();
      player = new shaka.Player();
      player.addEventListener('error', (e) => errors.push(String(e.detail?.code)));
      await player.attach(v);
      await player.load(url).catch((e) => errors.push(`load ${e.code}`));
    }
    v.play().catch(() => {});
    const end = Date.now() + 20000;
    while (v.currentTime < 0.5 && Date.now() < end && !errors.length) await new Promise((r) => setTimeout(r, 100));
    const time = v.currentTime;
    await player.destroy();
    v.remove();
    return { time, errors };
  }, { url: master, engine });

  const hls = await played('hls');
  assert.ok(hls.time >= 0.5, `hls.js played ${hls.time} s: ${hls.errors.join(', ')}; ${consoleErrors.join('; ')}`);
  const shakaRun = await played('shaka');
  assert.ok(shakaRun.time >= 0.5, `Shaka played ${shakaRun.time} s: ${shakaRun.errors.join(', ')}; ${consoleErrors.join('; ')}`);

  const uploaded = await page.evaluate(async ({ endpoint, token }) => {
    const blob = await (await fetch('/clip.mp4')).blob();
    return new Promise((resolve) => {
      const up = new tus.Upload(blob, {
        endpoint,
        chunkSize: 64 * 1024,
        retryDelays: [],
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: 'cross.mp4', title: 'Uploaded cross-origin' },
        onError: (e) => resolve({ error: String(e) }),
        onSuccess: () => resolve({ url: up.url }),
      });
      up.start();
    });
  }, { endpoint: `${s.url}/api/v1/uploads`, token: tok.agent1 });
  assert.ok(uploaded.url, uploaded.error);
  assert.ok(uploaded.url.startsWith(`${s.url}/api/v1/uploads/`), uploaded.url);
  const mine = (await api(s, 'GET', '/api/v1/me/videos', { token: tok.agent1 })).json.items;
  const made = mine.find((v) => v.title === 'Uploaded cross-origin');
  assert.ok(made, 'the upload became a clip');
  assert.notEqual((await waitForVideo(s, tok.agent1, made.id)).status, 'failed');
  await ctx.close();
});
