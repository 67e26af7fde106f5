// HTTP behaviour shared by every endpoint: problems, limits, content types,
// routing errors, health and metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, api, login, expectProblem, problemSlug } from './lib/server.mjs';

let s, admin;
before(async () => {
  s = await startServer();
  admin = await login(s, 'admin');
});
after(() => s.dispose());

/** Sends raw bytes on one connection and resolves with the whole reply. */
function raw(bytes, { endAfterMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(s.port, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => { out += d; });
    sock.on('error', reject);
    sock.on('close', () => resolve(out));
    sock.write(bytes);
    setTimeout(() => sock.destroy(), endAfterMs);
  });
}

test('malformed JSON is a 400 problem', async () => {
  for (const body of ['{"username":', 'not json', '[1,2,3]', '"str"', '', '{"a":1,"a":2}']) {
    const r = await api(s, 'POST', '/api/v1/auth/login', { body, headers: { 'content-type': 'application/json' } });
    expectProblem(assert, r, 400);
  }
});

test('a body over 64 KiB is refused with 413', async () => {
  const big = JSON.stringify({ username: 'agent1', password: 'x'.repeat(70 * 1024) });
  expectProblem(assert, await api(s, 'POST', '/api/v1/auth/login', { body: big, headers: { 'content-type': 'application/json' } }), 413);
  // a declared length over the limit is refused before the body is sent
  const reply = await raw('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{');
  assert.match(reply, /^HTTP\/1\.1 413/);
  assert.match(reply, /application\/problem\+json/);
  // chunked bodies are counted as they arrive
  const chunk = 'a'.repeat(32 * 1024);
  const chunked = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
    `${(chunk.length).toString(16)}\r\n${chunk}\r\n`.repeat(3) + '0\r\n\r\n';
  assert.match(await raw(chunked), /^HTTP\/1\.1 413/);
  assert.equal((await api(s, 'GET', '/healthz')).status, 200);
});

test('a JSON endpoint refuses other content types with 415', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
    const r = await api(s, 'POST', '/api/v1/auth/login', { body: '{"username":"agent1","password":"demo1234"}', headers: { 'content-type': type } });
    expectProblem(assert, r, 415);
  }
  const ok = await api(s, 'POST', '/api/v1/auth/login', { body: '{"username":"agent1","password":"demo1234"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(ok.status, 200);
});

test('unknown routes are JSON 404s; wrong methods are 405 with Allow', async () => {
  const nf = expectProblem(assert, await api(s, 'GET', '/api/v1/nothing-here'), 404);
  assert.match(nf.detail, /nothing-here/);
  expectProblem(assert, await api(s, 'GET', '/api/v1/users/1/../../etc/passwd', { token: admin }), 404);
  const r = await api(s, 'DELETE', '/api/v1/users', { token: admin });
  expectProblem(assert, r, 405);
  assert.equal(r.headers.get('allow'), 'POST, GET, HEAD');
  const login405 = await api(s, 'GET', '/api/v1/auth/login');
  expectProblem(assert, login405, 405);
  assert.equal(login405.headers.get('allow'), 'POST');
});

test('a path that is not UTF-8, or is cut inside a character, still gets a JSON problem', async () => {
  for (const path of ['/api/v1/%ff%fe', '/api/v1/' + '%C3%A9'.repeat(300)]) {
    const p = expectProblem(assert, await api(s, 'GET', path), 404);
    assert.ok(p.detail.length > 0, path);
  }
});

test('HEAD on a GET endpoint answers headers only', async () => {
  const r = await fetch(`${s.url}/healthz`, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(await r.text(), '');
});

test('healthz reports the database and schema', async () => {
  const r = await api(s, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.ok(r.json.schema >= 1);
});

test('metrics count requests by route and status in Prometheus format', async () => {
  const t = await login(s, 'agent1');
  for (let i = 0; i < 3; i++) await api(s, 'GET', '/api/v1/me', { token: t });
  await api(s, 'GET', '/api/v1/me');
  const r = await api(s, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  const count = (status) => Number((r.body.match(new RegExp(`casereel_http_requests_total\\{method="GET",route="/api/v1/me",status="${status}"\\} (\\d+)`)) || [])[1]);
  assert.ok(count(200) >= 3, r.body);
  assert.ok(count(401) >= 1);
  assert.match(r.body, /casereel_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
  assert.match(r.body, /casereel_db_errors_total 0/);
  assert.match(r.body, /casereel_uptime_seconds \d+/);
});

test('keep-alive connections serve many requests', async () => {
  const t = await login(s, 'agent2');
  const req = `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t}\r\n\r\n`;
  const reply = await raw(req.repeat(5), { endAfterMs: 500 });
  assert.equal(reply.match(/HTTP\/1\.1 200/g).length, 5);
});

test('%2F and %00 in a path are refused with 400 instead of being decoded before routing', async () => {
  for (const path of ['/api/v1/users%2F1', '/api/v1/users/1%2f..%2f2', '/api/v1/me%00', '/app/app.js%00.png']) {
    const p = expectProblem(assert, await api(s, 'GET', path, { token: admin }), 400);
    assert.equal(problemSlug(p), 'bad-path', path);
  }
  // in the query string they are data, and other escapes still decode
  assert.equal((await api(s, 'GET', '/api/v1/me?x=%2F%00', { token: admin })).status, 200);
  assert.equal((await api(s, 'GET', '/api/v1/%6de', { token: admin })).status, 200);
});

test('web pages may not be framed, nor change where forms and relative URLs go', async () => {
  const r = await fetch(`${s.url}/`);
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy');
  for (const directive of ["frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "default-src 'self'"])
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  const script = (await r.text()).match(/src="(\/v\/[0-9a-f]+\/app\/main\.js)"/)[1];
  assert.equal((await fetch(`${s.url}${script}`)).headers.get('x-frame-options'), 'DENY');
});

test('with --metrics-token, /metrics needs that bearer token', async (t) => {
  const m = await startServer({ args: ['--metrics-token', 'scrape-secret-123'] });
  t.after(() => m.dispose());
  for (const token of [undefined, 'scrape-secret-12', 'scrape-secret-1234', 'wrong'])
    expectProblem(assert, await api(m, 'GET', '/metrics', { token }), 401);
  const r = await api(m, 'GET', '/metrics', { token: 'scrape-secret-123' });
  assert.equal(r.status, 200);
  assert.match(r.body, /casereel_http_requests_total/);
  // without the flag it stays open, as scrapers expect
  assert.equal((await api(s, 'GET', '/metrics')).status, 200);
});

test('the access log escapes control bytes, leaves out media signatures and names the client', async (t) => {
  const l = await startServer({ args: ['--access-log', '1'] });
  t.after(() => l.dispose());
  await api(l, 'GET', '/api/v1/nothing%0a2026-01-01T00:00:00Z%20access%20forged%20line');
  await api(l, 'GET', '/media/v/1/9999999999/SeCrEtSiGnAtUrE0123456/master.m3u8');
  await api(l, 'GET', '/healthz');
  await logged(l, /method=GET path=\/healthz /);
  const log = l.stderr.split('\n').filter((x) => / info access /.test(x));
  assert.ok(log.some((x) => x.includes('/api/v1/nothing\\x0a2026')), log.join('\n'));
  assert.ok(!log.some((x) => /^\S+ access forged/.test(x) || x.startsWith('2026-01-01T00:00:00Z')), 'a forged line');
  assert.ok(!l.stderr.includes('SeCrEtSiGnAtUrE'), 'the signature was logged');
  assert.ok(log.some((x) => x.includes('/media/v/1/9999999999/-/master.m3u8')), log.join('\n'));
  assert.ok(log.some((x) => / access method=GET path=\/healthz status=200 .* client=127\.0\.0\.1 /.test(x)), log.join('\n'));
});

test('X-Forwarded-For names the client only when the peer is a trusted proxy', async (t) => {
  const args = ['--login-max-failures-ip', '2', '--login-window', '60', '--login-backoff-max', '1', '--access-log', '1'];
  const proxied = await startServer({ args: [...args, '--trusted-proxies', '10.0.0.0/8, 127.0.0.1/32'] });
  const direct = await startServer({ args: [...args, '--trusted-proxies', '10.0.0.0/8'] });
  t.after(() => Promise.all([proxied.dispose(), direct.dispose()]));
  const wrong = (srv, xff, i) => api(srv, 'POST', '/api/v1/auth/login', { json: { username: `agent${i}`, password: 'nope' }, headers: { 'x-forwarded-for': xff } });
  // behind the proxy each client has its own budget; what a client wrote itself is ignored
  for (let i = 1; i <= 2; i++) expectProblem(assert, await wrong(proxied, `1.1.1.1, 198.51.100.${i}`, i), 401);
  expectProblem(assert, await wrong(proxied, '198.51.100.3', 3), 401);
  expectProblem(assert, await wrong(proxied, '198.51.100.3', 4), 401);
  expectProblem(assert, await wrong(proxied, '198.51.100.3', 5), 429);
  expectProblem(assert, await wrong(proxied, '198.51.100.4', 6), 401);
  await logged(proxied, / access method=POST .* client=198\.51\.100\.4 /);
  assert.match(proxied.stderr, / access method=POST .* client=198\.51\.100\.3 /);
  // from a peer that is not trusted the header is the client's own words: one address
  for (let i = 1; i <= 2; i++) expectProblem(assert, await wrong(direct, `198.51.100.${i}`, i), 401);
  expectProblem(assert, await wrong(direct, '198.51.100.9', 3), 429);
  assert.doesNotMatch(direct.stderr, / client=198\.51\.100\./);
});

/** Waits (up to 5 s) until the server's log matches `re`: an access line is
 *  written after its answer is sent. */
async function logged(srv, re) {
  for (let i = 0; i < 50 && !re.test(srv.stderr); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(srv.stderr, re);
}

test('a bad --trusted-proxies list stops the server at start', async () => {
  await assert.rejects(startServer({ args: ['--trusted-proxies', '10.0.0.0/8,not-a-net'] }), /not-a-net/);
});
