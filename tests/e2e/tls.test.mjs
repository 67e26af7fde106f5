// HTTPS: casereel serving TLS itself (--tls-cert/--tls-key), and behind nginx
// with the shipped docs/nginx-casereel.conf terminating TLS (login, a tus
// upload, the client's address through --trusted-proxies); a half-given pair
// of flags is a clear start error.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tus from 'tus-js-client';
import { startServer, binDir, repoRoot, seedPath } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';

const dir = mkdtempSync(join(tmpdir(), 'casereel-tls-'));
const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
let ca;

before(() => {
  // a self-signed certificate for 127.0.0.1 and localhost: its own CA
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  ca = readFileSync(cert);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** One request with node's http/https (fetch cannot be given a CA); resolves
 *  {status, headers, body, json}. `from` is the local address to connect from. */
function request(url, { method = 'GET', headers = {}, body, from } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, { method, headers, ca, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const jsonPost = (url, json, opts = {}) => request(url, { ...opts, method: 'POST', body: JSON.stringify(json),
  headers: { 'content-type': 'application/json', ...(opts.headers || {}) } });

/** A free TCP port on 127.0.0.1 (closed again before nginx binds it). */
function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

describe('casereel serves HTTPS itself', () => {
  let s;
  before(async () => { s = await startServer({ args: ['--tls-cert', cert, '--tls-key', key] }); });
  after(() => s.dispose());

  test('the start line says https, and /healthz answers over TLS with the certificate given', async () => {
    assert.match(s.stdout, /listening on https:\/\/127\.0\.0\.1:\d+/);
    assert.ok(s.url.startsWith('https://'));
    const r = await request(`${s.url}/healthz`);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.status, 'ok');
    const login = await jsonPost(`${s.url}/api/v1/auth/login`, { username: 'agent1', password: 'demo1234' });
    assert.equal(login.status, 200, login.body);
    // problem types name the address listened on, https here (--public-url unset)
    const bad = await jsonPost(`${s.url}/api/v1/auth/login`, { username: 'agent1', password: 'wrong-password' });
    assert.match(bad.headers['content-type'], /^application\/problem\+json/);
    assert.equal(bad.json.type, `${s.url}/problems/bad-credentials`);
  });

  test('a client that does not know the certificate is refused by its own check', async () => {
    await assert.rejects(new Promise((resolve, reject) => {
      https.get(`${s.url}/healthz`, { agent: false }, resolve).on('error', reject);
    }), /self[- ]signed/i);
  });

  test('plain HTTP on the TLS port gets no answer, and the server keeps serving HTTPS', async () => {
    const plain = s.url.replace('https://', 'http://');
    await assert.rejects(request(`${plain}/healthz`), (e) => ['ECONNRESET', 'HPE_INVALID_CONSTANT', 'EPIPE'].includes(e.code)
      || /socket hang up|Parse Error/.test(e.message));
    const r = await request(`${s.url}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(s.proc.exitCode, null, 'still running');
  });
});

describe('only one of --tls-cert / --tls-key is a start error', () => {
  // no server comes up, and no data directory is made
  function start(args, env = {}) {
    const data = join(dir, `data-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--data', data, '--seed', seedPath,
      '--web', join(repoRoot, 'web'), ...args], { encoding: 'utf8', timeout: 20000, env: { ...process.env, ...env } });
    return { ...r, dataMade: existsSync(data) };
  }

  for (const [what, args, env] of [
    ['--tls-cert alone', ['--tls-cert', cert], {}],
    ['--tls-key alone', ['--tls-key', key], {}],
    ['CASEREEL_TLS_CERT alone', [], { CASEREEL_TLS_CERT: cert }],
  ]) {
    test(what, () => {
      const r = start(args, env);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--tls-cert and --tls-key go together/);
      assert.doesNotMatch(r.stdout, /listening/);
      assert.equal(r.dataMade, false);
    });
  }

  test('a key file that is not PEM, or not the certificate\'s key, is named at start', () => {
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    let r = start(['--tls-cert', cert, '--tls-key', notPem]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--tls-key .*not\.pem: not a PEM file/);
    assert.equal(r.dataMade, false, 'a failed start removes the data directory it made');
    const other = join(dir, 'other-key.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', other]);
    r = start(['--tls-cert', cert, '--tls-key', other]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--tls-key is not the key of --tls-cert/);
    r = start(['--tls-cert', join(dir, 'missing.pem'), '--tls-key', key]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--tls-cert .*missing\.pem: No such file/);
  });
});

describe('behind nginx with docs/nginx-casereel.conf', () => {
  let s, nginx, base;

  /** The shipped config with this test's ports, certificate and logs, inside
   *  a minimal nginx.conf of its own; every swap must find its target. */
  function nginxConf(ndir, tlsPort, httpPort) {
    let conf = readFileSync(join(repoRoot, 'docs/nginx-casereel.conf'), 'utf8');
    for (const [from, to] of [
      ['server 127.0.0.1:8080;', `server 127.0.0.1:${s.port};`],
      ['listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl http2;`],
      ['listen [::]:443 ssl http2;', ''],
      ['listen 80;', `listen 127.0.0.1:${httpPort};`],
      ['listen [::]:80;', ''],
      ['/etc/ssl/casereel/fullchain.pem', cert],
      ['/etc/ssl/casereel/privkey.pem', key],
      ['/var/log/nginx/casereel.access.log', join(ndir, 'access.log')],
      ['/var/log/nginx/casereel.error.log', join(ndir, 'error.log')],
    ]) {
      assert.ok(conf.includes(from), `docs/nginx-casereel.conf has no "${from}"`);
      conf = conf.replace(from, to);
    }
    const t = join(ndir, 'tmp');
    return `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
master_process off;
pid ${ndir}/nginx.pid;
error_log ${ndir}/error.log;
events { worker_connections 64; }
http {
  client_body_temp_path ${t}; proxy_temp_path ${t}; fastcgi_temp_path ${t}; uwsgi_temp_path ${t}; scgi_temp_path ${t};
${conf}
}
`;
  }

  before(async () => {
    s = await startServer({ args: ['--trusted-proxies', '127.0.0.1', '--access-log', '1'] });
    const ndir = mkdtempSync(join(tmpdir(), 'casereel-nginx-'));
    mkdirSync(join(ndir, 'tmp'));
    const [tlsPort, httpPort] = [await freePort(), await freePort()];
    writeFileSync(join(ndir, 'nginx.conf'), nginxConf(ndir, tlsPort, httpPort));
    const proc = spawn('/usr/sbin/nginx', ['-p', ndir, '-c', join(ndir, 'nginx.conf'), '-e', join(ndir, 'error.log')],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((res) => proc.on('exit', res));
    base = `https://127.0.0.1:${tlsPort}`;
    nginx = { proc, ndir, httpPort, async stop() { proc.kill('SIGTERM'); await exited; rmSync(ndir, { recursive: true, force: true }); } };
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`nginx exited: ${stderr} ${readFileSync(join(ndir, 'error.log'), 'utf8')}`);
      try { await request(`${base}/healthz`); break; } catch (e) { if (i > 100) throw e; }
      await sleep(50);
    }
  });
  after(async () => { await nginx?.stop(); await s?.dispose(); });

  // this test's client connects from 127.0.0.2: nginx and casereel are on 127.0.0.1
  const FROM = '127.0.0.2';
  const accessLines = () => s.stderr.split('\n').filter((l) => / access /.test(l));
  // a request's line is written when it completes, which may be just after its answer arrived
  async function logged(pred) {
    for (const until = Date.now() + 3000; Date.now() < until; await sleep(20))
      if (accessLines().some(pred)) return true;
    return false;
  }

  test('plain HTTP on the proxy is redirected to HTTPS', async () => {
    const r = await request(`http://127.0.0.1:${nginx.httpPort}/api/v1/me`);
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'https://127.0.0.1/api/v1/me');
  });

  test('login and a tus upload through the proxy; the access log names the phone, not the proxy', async () => {
    const login = await jsonPost(`${base}/api/v1/auth/login`, { username: 'agent1', password: 'demo1234' }, { from: FROM });
    assert.equal(login.status, 200, login.body);
    const token = login.json.token;
    assert.ok(await logged((l) => / access method=POST path=\/api\/v1\/auth\/login status=200 /.test(l) && l.includes(`client=${FROM} `)), accessLines().join('\n'));

    // a forged X-Forwarded-For is the left-most hop: casereel still takes the address nginx saw
    const me = await request(`${base}/api/v1/me`, { from: FROM, headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(me.status, 200, me.body);
    assert.ok(await logged((l) => / access method=GET path=\/api\/v1\/me status=200 /.test(l) && l.includes(`client=${FROM} `)), accessLines().join('\n'));
    assert.ok(!accessLines().some((l) => l.includes('203.0.113.9')), 'a forged address is never taken');

    // 1.2 MB in three 512 KiB PATCHes, streamed through nginx (no request buffering)
    const clip = readFileSync(makeClip('tls.mp4', { seconds: 2, size: '360x640' }));
    const url = await new Promise((resolve, reject) => {
      const up = new tus.Upload(clip, {
        endpoint: `${base}/api/v1/uploads`,
        chunkSize: 512 * 1024,
        retryDelays: [],
        httpStack: new tus.DefaultHttpStack({ ca, localAddress: FROM }),
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: 'tls.mp4', title: 'Through the proxy', tags: 'de-escalation' },
        onError: reject,
        onSuccess: () => resolve(up.url),
      });
      up.start();
    });
    assert.ok(url.startsWith(`${base}/api/v1/uploads/`), url);
    const patch = (l) => / access method=PATCH path=\/api\/v1\/uploads\//.test(l) && l.includes(`client=${FROM} `);
    assert.ok(await logged(patch), accessLines().join('\n'));
    assert.ok(accessLines().filter(patch).every((l) => / status=204 /.test(l)), accessLines().join('\n'));
    const head = await request(url, { method: 'HEAD', from: FROM, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' } });
    assert.equal(Number(head.headers['upload-offset']), clip.length);

    // the upload became a clip; once transcoded, its signed media plays through the proxy (Range too)
    const auth = { authorization: `Bearer ${token}` };
    let v = (await request(url, { from: FROM, headers: auth })).json.video;
    assert.ok(v && v.id, 'the upload names its video');
    for (const until = Date.now() + 60000; v.status === 'processing' && Date.now() < until; await sleep(200))
      v = (await request(`${base}/api/v1/videos/${v.id}`, { from: FROM, headers: auth })).json;
    assert.equal(v.status, 'pending_review', JSON.stringify(v));
    const mp4 = v.urls?.mp4;
    assert.ok(mp4 && mp4.startsWith('/media/v/'), `relative signed URL: ${mp4}`);
    const part = await request(`${base}${mp4}`, { from: FROM, headers: { range: 'bytes=0-99' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'].split('/')[0], 'bytes 0-99');
    assert.equal(part.headers['content-type'], 'video/mp4');
  });

  test('an upload body streams through: a PATCH cut half-way has its bytes at casereel, ready to resume', async () => {
    const token = (await jsonPost(`${base}/api/v1/auth/login`, { username: 'agent2', password: 'demo1234' }, { from: FROM })).json.token;
    const tusHeaders = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
    const total = 1_000_000;
    const created = await request(`${base}/api/v1/uploads`, { method: 'POST', from: FROM,
      headers: { ...tusHeaders, 'upload-length': String(total), 'upload-metadata': `filename ${Buffer.from('cut.mp4').toString('base64')}` } });
    assert.equal(created.status, 201, created.body);
    const at = `${base}${created.headers.location}`;
    // 600 kB of a declared 1 MB, then the phone loses its connection: nginx buffering
    // the body would never have passed a byte on
    await new Promise((resolve) => {
      const req = https.request(at, { method: 'PATCH', ca, localAddress: FROM, agent: false, headers: { ...tusHeaders,
        'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(total) } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(600_000, 7), () => setTimeout(() => { req.destroy(); resolve(); }, 500));
    });
    let offset = 0;
    for (const until = Date.now() + 8000; offset === 0 && Date.now() < until; await sleep(100))
      offset = Number((await request(at, { method: 'HEAD', from: FROM, headers: tusHeaders })).headers['upload-offset']);
    assert.ok(offset > 0 && offset <= 600_000, `offset after the cut: ${offset}`);
  });
});
