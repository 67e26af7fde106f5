// gzip on the wire: JSON answers, HLS playlists and the web client go out
// gzipped to clients that take it (and only then), media bytes never; the
// web client's versioned files are cached for a year with a gzip twin,
// index.html is revalidated. Bytes are read raw (node:http does not
// decompress), so what is checked is what a phone receives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startServer, login, repoRoot } from './lib/server.mjs';
import { makeClip } from './lib/transcode.mjs';
import { publishClip } from './lib/poll.mjs';

let s, agent, viewer, admin, feedItem;

before(async () => {
  s = await startServer({ clips: 0 });
  agent = await login(s, 'agent1');
  viewer = await login(s, 'agent2'); // the feed is someone else's clips
  admin = await login(s, 'admin');
  const trainer = await login(s, 'trainer1');
  // 40 s already in the output's form (H.264 BT.709, a keyframe every 2 s,
  // no audio): copied, not encoded, and long enough for a playlist of
  // 20 segments (over 1 KiB)
  const clip = readFileSync(makeClip('gz40.mp4', {
    size: '180x320', secs: 40, audio: null,
    video: ['-b:v', '120k', '-maxrate', '120k', '-bufsize', '240k', '-g', '60', '-keyint_min', '60',
      '-sc_threshold', '0', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'],
  }));
  for (const title of ['Refund steps', 'Calm the caller'])
    await publishClip(s, { creator: agent, trainer, clip, title });
  const feed = JSON.parse(gunzipSync((await get('/api/v1/feed', { token: viewer, gzip: true })).body));
  assert.equal(feed.items.length, 2);
  feedItem = feed.items[0];
});
after(() => s?.dispose());

/** One request with node:http; resolves with {status, headers, body: Buffer}. */
function get(path, { token, gzip = false, method = 'GET', headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (gzip && !('accept-encoding' in h)) h['accept-encoding'] = 'gzip, deflate, br';
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.url}${path}`, { method, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The signed URL of `name` next to the item's master playlist. */
function mediaUrl(item, name) {
  const master = JSON.stringify(item).match(/"(\/media\/v\/[^"]+\/)master\.m3u8"/);
  assert.ok(master, `no master playlist in ${JSON.stringify(item)}`);
  return master[1] + name;
}

test('the feed goes out gzipped to a client that takes gzip, and gunzips to the plain answer', async () => {
  const plain = await get('/api/v1/feed', { token: viewer });
  const gz = await get('/api/v1/feed', { token: viewer, gzip: true });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(plain.body.length >= 1024, `feed of ${plain.body.length} bytes`);
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['content-type'], 'application/json');
  for (const r of [plain, gz]) assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < plain.body.length * 0.6, `${gz.body.length} of ${plain.body.length} bytes`);
  // the same page (the feed's cursor snapshot keeps it stable)
  const a = JSON.parse(gunzipSync(gz.body)), b = JSON.parse(plain.body);
  assert.deepEqual(a.items.map((i) => i.id), b.items.map((i) => i.id));
  // a list that does not move is byte-for-byte the same
  const users = await get('/api/v1/users', { token: admin });
  const usersGz = await get('/api/v1/users', { token: admin, gzip: true });
  assert.equal(usersGz.headers['content-encoding'], 'gzip');
  assert.ok(gunzipSync(usersGz.body).equals(users.body));
});

test('identity, gzip;q=0 and a refused * get the plain answer', async () => {
  const users = await get('/api/v1/users', { token: admin });
  for (const ae of ['identity', 'gzip;q=0', 'gzip;q=0.000, deflate', 'br', '*;q=0', 'gzip;q=0, *', '']) {
    const r = await get('/api/v1/users', { token: admin, headers: { 'accept-encoding': ae } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], undefined, ae);
    assert.ok(r.body.equals(users.body), ae);
  }
  for (const ae of ['GZIP', 'x-gzip', 'deflate, gzip;q=0.5', '*', 'identity;q=0.5, *;q=0.1'])
    assert.equal((await get('/api/v1/users', { token: admin, headers: { 'accept-encoding': ae } })).headers['content-encoding'], 'gzip', ae);
});

test('answers under 1 KiB are not compressed', async () => {
  const me = await get('/api/v1/me', { token: agent, gzip: true });
  assert.equal(me.status, 200);
  assert.ok(me.body.length < 1024, `/me has ${me.body.length} bytes`);
  assert.equal(me.headers['content-encoding'], undefined);
  assert.equal(me.headers.vary, 'Accept-Encoding');
  assert.equal(typeof JSON.parse(me.body), 'object');
  // a problem too
  const p = await get('/api/v1/nothing-here', { token: agent, gzip: true });
  assert.equal(p.status, 404);
  assert.equal(p.headers['content-encoding'], undefined);
  assert.equal(JSON.parse(p.body).status, 404);
});

test('HLS playlists are gzipped, media bytes never', async () => {
  const master = await get(mediaUrl(feedItem, 'master.m3u8'), { gzip: true });
  assert.equal(master.status, 200);
  const variant = master.body.toString().split('\n').find((l) => l.endsWith('.m3u8'));
  const url = mediaUrl(feedItem, variant);
  const plain = await get(url);
  const gz = await get(url, { gzip: true });
  assert.ok(plain.body.length >= 1024, `playlist of ${plain.body.length} bytes`);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['content-type'], 'application/vnd.apple.mpegurl');
  assert.ok(gunzipSync(gz.body).equals(plain.body));
  assert.notEqual(gz.headers.etag, plain.headers.etag);
  assert.match(gz.headers.etag, /-gz"$/);
  assert.equal(gz.headers['accept-ranges'], undefined); // ranges count in the plain bytes
  // revalidating the gzip variant: 304 with its ETag, no body; the plain
  // variant's ETag does not match it
  const again = await get(url, { gzip: true, headers: { 'if-none-match': gz.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, gz.headers.etag);
  assert.equal((await get(url, { headers: { 'if-none-match': gz.headers.etag } })).status, 200);
  assert.equal((await get(url, { gzip: true, headers: { 'if-none-match': plain.headers.etag } })).status, 200);
  // a Range is answered from the plain bytes
  const part = await get(url, { gzip: true, headers: { range: 'bytes=0-99' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-encoding'], undefined);
  assert.ok(part.body.equals(plain.body.subarray(0, 100)));
  // the MP4 and the poster: as they are, whatever the client takes
  for (const name of ['360p.mp4', '720p.mp4', 'poster.jpg']) {
    const r = await get(mediaUrl(feedItem, name), { gzip: true });
    if (r.status === 404) continue; // a small source has no 720p rung
    assert.equal(r.status, 200, name);
    assert.equal(r.headers['content-encoding'], undefined, name);
    assert.equal(r.headers.vary, undefined, name);
    const seg = await get(mediaUrl(feedItem, name), { gzip: true, headers: { range: 'bytes=0-1023' } });
    assert.equal(seg.status, 206);
    assert.equal(seg.headers['content-encoding'], undefined);
  }
});

test('index.html is revalidated and names the web client under its version, cached for a year', async () => {
  const index = await get('/', { gzip: true });
  assert.equal(index.status, 200);
  assert.equal(index.headers['cache-control'], 'no-cache');
  const html = (index.headers['content-encoding'] === 'gzip' ? gunzipSync(index.body) : index.body).toString();
  const urls = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(urls.length >= 5, html);
  // the manifest is revalidated like the page (it names the versioned icon); every other file is versioned
  assert.ok(urls.includes('/manifest.webmanifest'), html);
  const manifest = await get('/manifest.webmanifest', { gzip: true });
  assert.equal(manifest.headers['cache-control'], 'no-cache');
  urls.splice(urls.indexOf('/manifest.webmanifest'), 1);
  for (const u of urls) assert.match(u, /^\/v\/[0-9a-f]{16}\/(app|vendor)\/[a-z0-9._-]+$/);
  for (const u of urls) {
    const r = await get(u, { gzip: true });
    assert.equal(r.status, 200, u);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', u);
  }
  // main.js: its gzip twin, made at build time, is what goes out
  const main = urls.find((u) => u.endsWith('/app/main.js'));
  const version = main.split('/')[2];
  const gz = await get(main, { gzip: true });
  const plain = await get(main);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.equal(plain.headers['content-encoding'], undefined);
  const built = join(repoRoot, 'build/web/v', version, 'app/main.js');
  assert.ok(gz.body.equals(readFileSync(`${built}.gz`)));
  assert.ok(gunzipSync(gz.body).equals(plain.body));
  assert.ok(plain.body.equals(readFileSync(join(repoRoot, 'web/app/main.js'))));
  // the vendored player too (fetched by the page only where native HLS is missing)
  const hls = `/v/${version}/vendor/hls.min.js`;
  const hlsGz = await get(hls, { gzip: true });
  assert.equal(hlsGz.headers['content-encoding'], 'gzip');
  assert.ok(hlsGz.body.length < (await get(hls)).body.length / 2);
  // ES module imports between app files resolve under the same version
  const feedJs = await get(`/v/${version}/app/feed.js`, { gzip: true });
  assert.equal(feedJs.status, 200);
  assert.equal(feedJs.headers['cache-control'], 'public, max-age=31536000, immutable');
  // another version, a bad one, or the twin by name: nothing
  for (const u of [`/v/0123456789abcdef/app/main.js`, `/v/${version.toUpperCase()}/app/main.js`,
    `/v/../app/main.js`, `${main}.gz`, `/v/${version}/other/main.js`])
    assert.equal((await get(u, { gzip: true })).status, 404, u);
});

test('a gzip variant revalidates with 304, and HEAD has its headers but no body', async () => {
  const index = (await get('/')).body.toString();
  const css = index.match(/href="(\/v\/[0-9a-f]+\/app\/ui\.css)"/)[1];
  const gz = await get(css, { gzip: true });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(gz.headers.etag, /-gz"$/);
  const cond = await get(css, { gzip: true, headers: { 'if-none-match': gz.headers.etag } });
  assert.equal(cond.status, 304);
  assert.equal(cond.body.length, 0);
  assert.equal(cond.headers.etag, gz.headers.etag);
  assert.equal(cond.headers.vary, 'Accept-Encoding');
  // the identity variant does not match the gzip ETag, nor the other way
  const plain = await get(css, { headers: { 'if-none-match': gz.headers.etag } });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal((await get(css, { gzip: true, headers: { 'if-none-match': plain.headers.etag } })).status, 200);
  assert.equal((await get(css, { headers: { 'if-none-match': plain.headers.etag } })).status, 304);

  const head = await get(css, { gzip: true, method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-encoding'], 'gzip');
  assert.equal(Number(head.headers['content-length']), gz.body.length);
  assert.equal(head.headers.etag, gz.headers.etag);
  const headJson = await get('/api/v1/users', { token: admin, gzip: true, method: 'HEAD' });
  assert.equal(headJson.status, 200);
  assert.equal(headJson.body.length, 0);
  assert.equal(headJson.headers['content-encoding'], 'gzip');
});
