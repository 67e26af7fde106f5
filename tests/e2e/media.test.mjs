// Streaming media through signed URLs: signatures and expiry, file-name
// whitelist, Range / conditional requests, content types, HLS references —
// and, for the same file and the same headers, what a real nginx answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api, login, expectProblem, problemSlug } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

let s, token, a, b, dirA, mp4, nginx;

/** A free TCP port on 127.0.0.1 (closed again before nginx binds it). */
function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/** Starts nginx (foreground, its own prefix) serving `root` statically. */
async function startNginx(root) {
  const dir = mkdtempSync(join(tmpdir(), 'casereel-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  writeFileSync(join(dir, 'nginx.conf'), `
${asRoot ? 'user root;' : ''}
worker_processes 1;
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  types {
    application/vnd.apple.mpegurl m3u8;
    video/mp4 mp4;
    video/iso.segment m4s;
    image/jpeg jpg;
  }
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`);
  const proc = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.on('exit', res));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try { await fetch(url + '/'); break; } catch (e) { if (i > 100) throw e; }
    await sleep(50);
  }
  return {
    url,
    async stop() { proc.kill('SIGTERM'); await exited; rmSync(dir, { recursive: true, force: true }); },
  };
}

/** The signature src/media/media_sign.c makes, from the server's own key,
 *  of media version `version` (0: the unversioned links from before versions). */
function sign(id, expires, version = 1) {
  const key = readFileSync(join(s.dir, 'media.key'));
  const msg = version ? `v2/${id}/${version}/${expires}` : `v1/${id}/${expires}`;
  const mac = createHmac('sha256', key).update(msg).digest();
  return mac.subarray(0, 16).toString('base64url');
}
const prefix = (id, expires = Math.floor(Date.now() / 1000) + 3600) => `/media/v/${id}/1/${expires}/${sign(id, expires)}`;
const prefixOf = (url) => url.slice(0, url.lastIndexOf('/'));

/** GET (or `method`) with raw headers; the body as a Buffer. */
async function get(base, path, headers = {}, method = 'GET') {
  const r = await fetch(base + path, { method, headers });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body };
}

/** GET `path` exactly as written: fetch would resolve '..' and '%2e%2e' itself. */
function rawGet(path) {
  return new Promise((res, rej) => {
    http.get({ host: '127.0.0.1', port: s.port, path }, (r) => {
      let text = '';
      r.on('data', (d) => { text += d; });
      r.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        res({ status: r.statusCode, headers: { get: (k) => r.headers[k.toLowerCase()] }, body: text, json });
      });
    }).on('error', rej);
  });
}

async function upload(title) {
  const clip = readFileSync(makeClip(`${title}.mp4`, { seconds: 4 }));
  const r = await api(s, 'POST', `/api/v1/videos?title=${title}`, { token, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  return r.json.id;
}

before(async () => {
  s = await startServer({ args: ['--transcode-workers', '2'] });
  token = await login(s, 'agent1');
  const ids = await Promise.all([upload('streaming'), upload('other')]);
  [a, b] = await Promise.all(ids.map((id) => waitForVideo(s, token, id)));
  for (const v of [a, b]) assert.equal(v.status, 'pending_review', v.error);
  // a is published (its media cacheable by anyone), b stays a trainer's preview
  const trainer = await login(s, 'trainer1');
  const ok = await api(s, 'POST', `/api/v1/videos/${a.id}/review`, { token: trainer, json: { decision: 'approve' } });
  assert.equal(ok.status, 200, ok.body);
  dirA = join(s.dir, 'media/v', String(a.id), '1');
  mp4 = readFileSync(join(dirA, '720p.mp4'));
  assert.ok(mp4.length > 10000);
  nginx = await startNginx(dirA);
});

after(async () => {
  await nginx?.stop();
  await s?.dispose();
});

test('the whole file: 200, same bytes as on disk, validators like nginx, cacheable until the URL expires', async () => {
  const r = await get(s.url, a.urls.mp4);
  assert.equal(r.status, 200);
  assert.ok(r.body.equals(mp4), 'body differs from the file on disk');
  assert.equal(r.headers.get('content-type'), 'video/mp4');
  assert.equal(r.headers.get('content-length'), String(mp4.length));
  assert.equal(r.headers.get('accept-ranges'), 'bytes');
  const st = statSync(join(dirA, '720p.mp4'));
  const etag = `"${Math.floor(st.mtimeMs / 1000).toString(16)}-${st.size.toString(16)}"`;
  assert.equal(r.headers.get('etag'), etag);
  const n = await get(nginx.url, '/720p.mp4');
  assert.equal(r.headers.get('etag'), n.headers.get('etag'));
  assert.equal(r.headers.get('last-modified'), n.headers.get('last-modified'));
  const expires = Number(a.urls.mp4.split('/')[5]);
  const m = r.headers.get('cache-control').match(/^public, max-age=(\d+), immutable$/);
  assert.ok(m, r.headers.get('cache-control'));
  const left = expires - Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(Number(m[1]) - left) <= 2, `max-age ${m[1]} vs ${left} s left`);
  // a clip pending review is served to its reviewers, but no cache keeps it
  const preview = await get(s.url, b.urls.mp4, { range: 'bytes=0-0' });
  assert.equal(preview.status, 206);
  assert.equal(preview.headers.get('cache-control'), 'private, no-store');
});

test('Range requests answer exactly what nginx answers for the same file', async () => {
  const size = mp4.length;
  const cases = [
    'bytes=0-99', 'bytes=0-0', 'bytes=-100', 'bytes=-1', 'bytes=1000-', `bytes=${size - 1}-${size - 1}`,
    `bytes=${size - 1}-`, `bytes=0-${size * 2}`, `bytes=-${size * 2}`, 'bytes=0-', `bytes=${size}-`,
    `bytes=${size + 10}-${size + 20}`, 'bytes=5-2', 'bytes=-0', 'bytes=abc', 'bytes=0-1x', 'bytes=',
    'items=0-1', 'Bytes=10-19', 'bytes= 10 - 19 ', 'bytes=0-1,999999999999-', 'bytes=0-99999999999999999999',
    'bytes=0-1,0-', `bytes=${size}-,${size + 1}-`,
  ];
  const base = prefixOf(a.urls.mp4);
  for (const range of cases) {
    const ours = await get(s.url, `${base}/720p.mp4`, { range });
    const ref = await get(nginx.url, '/720p.mp4', { range });
    const what = `Range: ${range}`;
    assert.equal(ours.status, ref.status, what);
    assert.equal(ours.headers.get('content-range'), ref.headers.get('content-range'), what);
    if (ours.status === 416) {
      expectProblem(assert, { ...ours, json: JSON.parse(ours.body), body: ours.body.toString() }, 416);
      assert.equal(ours.headers.get('content-range'), `bytes */${size}`);
      continue; // nginx's 416 body is an HTML page, ours a problem
    }
    assert.equal(ours.headers.get('content-length'), ref.headers.get('content-length'), what);
    assert.ok(ours.body.equals(ref.body), `${what}: bodies differ`);
    assert.equal(ours.headers.get('content-type'), 'video/mp4', what);
  }
  // the named cases, spelled out
  const first = await get(s.url, `${base}/720p.mp4`, { range: 'bytes=0-99' });
  assert.equal(first.status, 206);
  assert.ok(first.body.equals(mp4.subarray(0, 100)));
  const last = await get(s.url, `${base}/720p.mp4`, { range: `bytes=${size - 1}-${size - 1}` });
  assert.equal(last.headers.get('content-range'), `bytes ${size - 1}-${size - 1}/${size}`);
  assert.ok(last.body.equals(mp4.subarray(size - 1)));
  const suffix = await get(s.url, `${base}/720p.mp4`, { range: 'bytes=-100' });
  assert.ok(suffix.body.equals(mp4.subarray(size - 100)));
  const open = await get(s.url, `${base}/720p.mp4`, { range: 'bytes=1000-' });
  assert.equal(open.headers.get('content-range'), `bytes 1000-${size - 1}/${size}`);
  assert.ok(open.body.equals(mp4.subarray(1000)));
  expectProblem(assert, await api(s, 'GET', `${base}/720p.mp4`, { headers: { range: `bytes=${size}-` } }), 416);
  // 'items=' is another unit: ignored, the whole file
  const other = await get(s.url, `${base}/720p.mp4`, { range: 'items=0-1' });
  assert.equal(other.status, 200);
  assert.ok(other.body.equals(mp4));
});

test('several ranges: the whole file with 200 (nginx sends multipart/byteranges)', async () => {
  const base = prefixOf(a.urls.mp4);
  const ours = await get(s.url, `${base}/720p.mp4`, { range: 'bytes=0-1,5-6' });
  assert.equal(ours.status, 200);
  assert.ok(ours.body.equals(mp4));
  const ref = await get(nginx.url, '/720p.mp4', { range: 'bytes=0-1,5-6' });
  assert.equal(ref.status, 206);
  assert.match(ref.headers.get('content-type'), /^multipart\/byteranges/);
});

test('HEAD: the headers of GET without a body', async () => {
  const base = prefixOf(a.urls.mp4);
  const r = await get(s.url, `${base}/720p.mp4`, {}, 'HEAD');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.equal(r.headers.get('content-length'), String(mp4.length));
  assert.equal(r.headers.get('content-type'), 'video/mp4');
  assert.ok(r.headers.get('etag'));
  const part = await get(s.url, `${base}/720p.mp4`, { range: 'bytes=0-9' }, 'HEAD');
  const ref = await get(nginx.url, '/720p.mp4', { range: 'bytes=0-9' }, 'HEAD');
  assert.equal(part.status, 206);
  assert.equal(part.body.length, 0);
  assert.equal(part.headers.get('content-length'), ref.headers.get('content-length'));
  assert.equal(part.headers.get('content-range'), ref.headers.get('content-range'));
});

test('If-None-Match and If-Modified-Since give 304 without a body; If-Range decides whether Range counts', async () => {
  const base = prefixOf(a.urls.mp4);
  const full = await get(s.url, `${base}/720p.mp4`);
  const etag = full.headers.get('etag');
  const lastModified = full.headers.get('last-modified');
  const conditional = [
    [{ 'if-none-match': etag }, 304],
    [{ 'if-none-match': `W/${etag}` }, 304],
    [{ 'if-none-match': `"nope", ${etag}` }, 304],
    [{ 'if-none-match': '*' }, 304],
    [{ 'if-none-match': '"nope"' }, 200],
    [{ 'if-modified-since': lastModified }, 304],
    [{ 'if-none-match': etag, range: 'bytes=0-9' }, 304],
    [{ 'if-range': etag, range: 'bytes=0-9' }, 206],
    [{ 'if-range': lastModified, range: 'bytes=0-9' }, 206],
    [{ 'if-range': '"stale-etag"', range: 'bytes=0-9' }, 200],
    [{ 'if-range': 'Sun, 06 Nov 1994 08:49:37 GMT', range: 'bytes=0-9' }, 200],
  ];
  for (const [headers, want] of conditional) {
    const ours = await get(s.url, `${base}/720p.mp4`, headers);
    const ref = await get(nginx.url, '/720p.mp4', headers);
    const what = JSON.stringify(headers);
    assert.equal(ours.status, want, what);
    assert.equal(ref.status, want, `nginx: ${what}`);
    if (want === 304) {
      assert.equal(ours.body.length, 0, what);
      // MHD always sends Content-Length; RFC 9110 §8.6 allows only the 200's (nginx sends none)
      assert.equal(ours.headers.get('content-length'), String(mp4.length), what);
      assert.equal(ours.headers.get('content-type'), null, what);
      assert.equal(ours.headers.get('etag'), etag, what);
      assert.equal(ours.headers.get('last-modified'), lastModified, what);
      assert.match(ours.headers.get('cache-control'), /^public, max-age=\d+, immutable$/);
    } else {
      assert.equal(ours.headers.get('content-range'), ref.headers.get('content-range'), what);
      assert.ok(ours.body.equals(ref.body), `${what}: bodies differ`);
    }
  }
  // If-Match / If-Unmodified-Since that fail are 412 problems
  expectProblem(assert, await api(s, 'GET', `${base}/720p.mp4`, { headers: { 'if-match': '"nope"' } }), 412);
  assert.equal((await get(s.url, `${base}/720p.mp4`, { 'if-match': etag })).status, 200);
});

test('304 and HEAD leave no stray bytes on a kept-alive connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const path = `${prefixOf(a.urls.mp4)}/720p.mp4`;
  const etag = (await get(s.url, path, {}, 'HEAD')).headers.get('etag');
  const one = (method, headers) => new Promise((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port: s.port, path, method, headers, agent }, (r) => {
      const chunks = [];
      r.on('data', (d) => chunks.push(d));
      r.on('end', () => res({ status: r.statusCode, body: Buffer.concat(chunks), socket: req.socket }));
    });
    req.on('error', rej);
    req.end();
  });
  const r1 = await one('GET', { 'if-none-match': etag });
  const r2 = await one('HEAD', {});
  const r3 = await one('GET', { range: 'bytes=0-9' });
  agent.destroy();
  assert.deepEqual([r1.status, r2.status, r3.status], [304, 200, 206]);
  assert.equal(r1.socket, r3.socket, 'the connection was reused');
  assert.ok(r3.body.equals(mp4.subarray(0, 10)));
});

test('content types for every file the transcoder writes (and .m4s segments)', async () => {
  writeFileSync(join(dirA, 'seg1.m4s'), Buffer.alloc(64, 7));
  const base = prefixOf(a.urls.mp4);
  const want = {
    'master.m3u8': 'application/vnd.apple.mpegurl', '720p.m3u8': 'application/vnd.apple.mpegurl',
    '360p.m3u8': 'application/vnd.apple.mpegurl', '720p.mp4': 'video/mp4', '360p.mp4': 'video/mp4',
    'poster.jpg': 'image/jpeg', 'thumb.jpg': 'image/jpeg', 'seg1.m4s': 'video/iso.segment',
  };
  for (const [file, type] of Object.entries(want)) {
    const r = await get(s.url, `${base}/${file}`, {}, 'HEAD');
    assert.equal(r.status, 200, file);
    assert.equal(r.headers.get('content-type'), type, file);
    assert.equal(r.headers.get('content-type'), (await get(nginx.url, `/${file}`, {}, 'HEAD')).headers.get('content-type'));
    assert.equal(r.headers.get('content-length'), String(statSync(join(dirA, file)).size), file);
  }
  assert.ok((await get(s.url, a.urls.poster)).body.equals(readFileSync(join(dirA, 'poster.jpg'))));
});

test('signatures: tampered, another video\'s, malformed or expired → 403; anonymous access needs nothing else', async () => {
  const [, , , id, version, expires, sig, file] = a.urls.mp4.split('/');
  assert.equal(version, '1');
  assert.equal(sign(Number(id), Number(expires)), sig, 'the test computes the server\'s HMAC');
  assert.equal((await get(s.url, `${prefix(a.id)}/720p.mp4`)).status, 200);
  const flip = (c) => (c === 'A' ? 'B' : 'A');
  const tampered = [
    `/media/v/${id}/1/${expires}/${flip(sig[0])}${sig.slice(1)}/${file}`,
    `/media/v/${id}/1/${expires}/${sig.slice(0, -1)}${flip(sig.at(-1))}/${file}`,
    `/media/v/${id}/1/${expires}/${sig}A/${file}`,
    `/media/v/${id}/1/${expires}/${sig.slice(1)}/${file}`,
    `/media/v/${id}/1/${Number(expires) + 3600}/${sig}/${file}`,  // expiry extended
    `/media/v/${id}/1/0${expires}/${sig}/${file}`,                // non-canonical expiry
    `/media/v/${id}/1/x${expires}/${sig}/${file}`,
    `/media/v/${id}/2/${expires}/${sig}/${file}`,                 // another version
    `/media/v/${id}/${expires}/${sig}/${file}`,                   // the unversioned form
    `/media/v/${b.id}/1/${expires}/${sig}/${file}`,               // another video's signature
    `${prefixOf(b.urls.mp4).replace(`/v/${b.id}/`, `/v/${a.id}/`)}/720p.mp4`,
  ];
  for (const path of tampered) {
    const p = expectProblem(assert, await api(s, 'GET', path), 403);
    assert.equal(problemSlug(p), 'invalid-signature', path);
  }
  const past = Math.floor(Date.now() / 1000) - 10;
  const expired = expectProblem(assert, await api(s, 'GET', `${prefix(a.id, past)}/720p.mp4`), 403);
  assert.equal(problemSlug(expired), 'expired');
  // b's own signature works for b
  assert.equal((await get(s.url, b.urls.poster)).status, 200);
});

test('file names outside the whitelist, odd ids and non-regular files → 404', async () => {
  const base = prefix(a.id);
  symlinkSync('/etc/passwd', join(dirA, 'link.jpg'));
  mkdirSync(join(dirA, 'dir.mp4'));
  const names = [
    '..', '.', '%2e%2e', '..%2fmedia.key', '..%2F..%2Fmedia.key', 'MASTER.m3u8', 'master.M3U8', 'master.m3u8.tmp',
    '.m3u8', 'master', 'master.txt', 'master.', 'a.b.mp4', 'master%00.m3u8', 'mas%20ter.m3u8', 'media.key',
    `${'a'.repeat(300)}.mp4`, 'missing.mp4', 'link.jpg', 'dir.mp4', '720p.mp4/',
  ];
  for (const name of names) {
    const r = await rawGet(`${base}/${name}`);
    // an encoded slash or NUL is refused before routing (400), every other odd name is a 404
    expectProblem(assert, r, /%2f|%00/i.test(name) ? 400 : 404);
  }
  for (const id of ['0', '-1', '01', 'abc', '99999999999999999999']) {
    expectProblem(assert, await api(s, 'GET', `/media/v/${id}/1/${Math.floor(Date.now() / 1000) + 60}/${sign(1, 1)}/720p.mp4`), 404);
    expectProblem(assert, await api(s, 'GET', `/media/v/${a.id}/${id}/${Math.floor(Date.now() / 1000) + 60}/${sign(1, 1)}/720p.mp4`), 404);
  }
  // a signed, existing id with no files
  expectProblem(assert, await api(s, 'GET', `${prefix(987654)}/720p.mp4`), 404);
});

test('a removed video is not served', async () => {
  assert.equal((await get(s.url, b.urls.mp4, { range: 'bytes=0-0' })).status, 206);
  execFileSync('sqlite3', [join(s.dir, 'casereel.db'), `UPDATE videos SET status = 'removed' WHERE id = ${Number(b.id)}`]);
  for (const url of [b.urls.mp4, b.urls.hls, b.urls.poster]) expectProblem(assert, await api(s, 'GET', url), 404);
});

test('the HLS master playlist references playlists and byte ranges that resolve under the same prefix', async () => {
  const masterUrl = new URL(a.urls.hls, s.url);
  const master = await get(s.url, a.urls.hls);
  assert.equal(master.status, 200);
  const variants = master.body.toString().split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(variants.length, 2);
  for (const v of variants) {
    const vurl = new URL(v, masterUrl);
    assert.equal(prefixOf(vurl.pathname), prefixOf(masterUrl.pathname), 'relative URI stays under the prefix');
    const pl = await get(s.url, vurl.pathname);
    assert.equal(pl.status, 200, v);
    const text = pl.body.toString();
    const map = text.match(/#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"/);
    const seg = text.match(/#EXT-X-BYTERANGE:(\d+)@(\d+)\n([^\n#]+)/);
    assert.ok(map && seg, text);
    for (const [uri, len, off] of [[map[1], map[2], map[3]], [seg[3], seg[1], seg[2]]]) {
      const u = new URL(uri, vurl);
      const start = Number(off), end = Number(off) + Number(len) - 1;
      const r = await get(s.url, u.pathname, { range: `bytes=${start}-${end}` });
      assert.equal(r.status, 206, uri);
      const disk = readFileSync(join(dirA, uri));
      assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${disk.length}`);
      assert.ok(r.body.equals(disk.subarray(start, end + 1)), `${uri} ${start}-${end}`);
    }
  }
});
