// The OpenAPI document (docs/openapi.yaml) against the server: every route
// the router has is in it with its role and body, its response schemas are
// strict, every problem slug the code can answer with is described, and the
// server serves the document and a page per problem type under absolute
// type URIs (--public-url).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, binDir, repoRoot, problemSlug, expectProblem } from './lib/server.mjs';
import { checkAnswer } from './lib/openapi.mjs';
import { problemSlugs } from './lib/problem_slugs.mjs';

const doc = JSON.parse(readFileSync(join(repoRoot, 'build/openapi.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** The router's table from `casereel routes`: [{method, pattern, role, body}]. */
function routes() {
  return execFileSync(join(binDir, 'casereel'), ['routes'], { encoding: 'utf8' })
    .trim().split('\n').map((l) => {
      const [method, pattern, role, body] = l.split(' ');
      return { method, pattern, role, body };
    });
}

const deref = (o) => {
  while (o && o.$ref) o = o.$ref.slice(2).split('/').reduce((x, k) => x[k.replace(/~1/g, '/')], doc);
  return o;
};

test('every route of the router is in the document, and nothing else is', () => {
  const table = routes();
  assert.ok(table.length > 100, `casereel routes listed ${table.length} routes`);
  const inDoc = new Set();
  for (const [path, item] of Object.entries(doc.paths))
    for (const m of METHODS) if (item[m]) inDoc.add(`${m.toUpperCase()} ${path}`);
  const inRouter = new Set(table.map((r) => `${r.method} ${r.pattern}`));
  assert.ok(![...inRouter].some((r) => r.includes('/api/v1/test/')), 'test hooks are not routes without --test-hooks');
  assert.deepEqual([...inRouter].filter((r) => !inDoc.has(r)), [], 'routes missing from docs/openapi.yaml');
  assert.deepEqual([...inDoc].filter((r) => !inRouter.has(r)), [], 'documented operations the router does not have');
});

test("each operation names the route's role, security and request body", () => {
  const wantBody = { json: ['application/json'], csv: ['text/csv'] };
  for (const r of routes()) {
    const op = doc.paths[r.pattern][r.method.toLowerCase()];
    const where = `${r.method} ${r.pattern}`;
    assert.equal(op['x-casereel-role'], r.role, `${where}: x-casereel-role`);
    assert.match(op.description, new RegExp(`^Role: ${r.role}\\b`), `${where}: the description starts with its role`);
    const security = op.security ?? doc.security;
    const open = security.length === 0 || security.some((s) => Object.keys(s).length === 0);
    assert.equal(open, r.role === 'none', `${where}: callable without a token exactly when its role is none`);
    const body = deref(op.requestBody);
    if (r.body === 'none') assert.equal(body, undefined, `${where}: takes no body`);
    else {
      assert.ok(body, `${where}: documents its ${r.body} body`);
      if (wantBody[r.body]) assert.deepEqual(Object.keys(body.content), wantBody[r.body], `${where}: body type`);
      if (r.body === 'json') {
        for (const s of ['400', '413', '415']) assert.ok(op.responses[s], `${where}: a JSON body can get ${s}`);
      }
    }
    if (r.role !== 'none') for (const s of ['401', '403']) assert.ok(op.responses[s], `${where}: a login route can get ${s}`);
  }
});

/** Walks a response schema; every object schema must list `required` and
 *  refuse other members (additionalProperties or, for allOf compositions,
 *  unevaluatedProperties). Parts of an allOf are checked for `required`
 *  only: the composition closes them. */
function checkStrict(schema, where, inAllOf = false, seen = new Set()) {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const s = deref(schema);
  if (s !== schema) return checkStrict(s, `${where} → ${schema.$ref}`, inAllOf, seen);
  if (s.properties) {
    assert.ok(Array.isArray(s.required), `${where}: an object schema lists its required members`);
    if (!inAllOf)
      assert.ok(s.additionalProperties === false || s.unevaluatedProperties === false, `${where}: an object schema refuses other members`);
    for (const [k, v] of Object.entries(s.properties)) checkStrict(v, `${where}.${k}`, false, seen);
  }
  if (s.allOf) {
    if (!inAllOf) assert.equal(s.unevaluatedProperties, false, `${where}: a composition refuses other members`);
    for (const part of s.allOf) checkStrict(part, `${where} (allOf)`, true, seen);
  }
  for (const k of ['oneOf', 'anyOf']) for (const part of s[k] ?? []) checkStrict(part, `${where} (${k})`, false, seen);
  if (s.items) checkStrict(s.items, `${where}[]`, false, seen);
}

test('every JSON answer schema is strict', () => {
  let n = 0;
  for (const [path, item] of Object.entries(doc.paths))
    for (const m of METHODS) {
      for (const [status, resp] of Object.entries(item[m]?.responses ?? {})) {
        for (const [type, media] of Object.entries(deref(resp).content ?? {}))
          if (/json$/.test(type) && media.schema && path !== '/api/v1/openapi.json') {
            checkStrict(media.schema, `${m.toUpperCase()} ${path} ${status}`);
            n++;
          }
      }
    }
  assert.ok(n > 400, `${n} JSON answers checked`);
});

test('every problem type the code can answer with is described, and only those', () => {
  const inCode = problemSlugs(repoRoot);
  const described = Object.keys(doc['x-problem-types']);
  assert.deepEqual([...inCode.keys()].filter((s) => !described.includes(s)).map((s) => `${s} (${inCode.get(s)[0]})`), [],
    'slugs the code uses but x-problem-types lacks');
  assert.deepEqual(described.filter((s) => !inCode.has(s)), [], 'x-problem-types the code never answers');
  const pattern = doc.components.schemas.Problem.properties.type.pattern;
  const alternatives = /\/problems\/\(([^)]+)\)\$$/.exec(pattern)[1].split('|');
  assert.deepEqual([...alternatives].sort(), [...described].sort(), 'Problem.type lists exactly the x-problem-types');
});

test('the answer check fails on what the document does not say', () => {
  const problem = (slug, status) => ({ type: `http://127.0.0.1:1/problems/${slug}`, title: 'x', status, detail: 'x' });
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/healthz', 418, 'application/problem+json', problem('internal', 418)), /status 418 is not documented/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/healthz', 200, 'application/json', { status: 'ok' }), /schema/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/healthz', 200, 'application/json', { status: 'ok', schema: 23, extra: 1 }), /additional/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/api/v1/me', 401, 'application/problem+json', { ...problem('unauthorized', 401), type: '/problems/unauthorized' }), /pattern/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/api/v1/me', 401, 'application/problem+json', problem('no-such-slug', 401)), /pattern/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/api/v1/nowhere', 200, 'application/json', {}), /no such path/);
  assert.throws(() => checkAnswer(repoRoot, 'PUT', '/healthz', 200, 'application/json', {}), /no PUT/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/readyz', 200, 'application/json', { status: 'ok' }), /constant/);
  assert.throws(() => checkAnswer(repoRoot, 'GET', '/healthz', 200, 'application/json', { status: 'ok', schema: 23, demo: { ready: true } }), /required/);
  // a preflight is the CORS layer's (any /api or /media path), checked only for 204 or a problem
  const preflight = { 'Access-Control-Request-Method': 'GET' };
  assert.throws(() => checkAnswer(repoRoot, 'OPTIONS', '/api/v1/feed', 204, null, undefined), /no OPTIONS/);
  assert.throws(() => checkAnswer(repoRoot, 'OPTIONS', '/api/v1/feed', 200, 'application/json', {}, preflight), /preflight/);
  assert.throws(() => checkAnswer(repoRoot, 'OPTIONS', '/api/v1/feed', 403, 'application/problem+json', problem('cors', 403), preflight), /pattern/);
  assert.throws(() => checkAnswer(repoRoot, 'OPTIONS', '/app/x.js', 204, null, undefined, preflight), /no OPTIONS/);
  checkAnswer(repoRoot, 'OPTIONS', '/api/v1/feed', 204, null, undefined, preflight);
  checkAnswer(repoRoot, 'OPTIONS', '/media/v/1/1/1/x/master.m3u8', 204, null, undefined, { 'access-control-request-method': 'GET' });
  checkAnswer(repoRoot, 'OPTIONS', '/api/v1/videos/1', 403, 'application/problem+json', problem('cors-origin', 403), preflight);
  // X-HTTP-Method-Override on the tus routes: checked as the method it names, exactly
  const upload = '/api/v1/uploads/0123456789abcdef0123456789abcdef';
  assert.throws(() => checkAnswer(repoRoot, 'POST', upload, 204, null, undefined), /no POST/);
  assert.throws(() => checkAnswer(repoRoot, 'POST', upload, 204, null, undefined, { 'X-HTTP-Method-Override': 'patch' }), /no patch/);
  assert.throws(() => checkAnswer(repoRoot, 'POST', '/api/v1/feed', 200, 'application/json', {}, { 'X-HTTP-Method-Override': 'GET' }), /no POST/);
  checkAnswer(repoRoot, 'POST', upload, 204, null, undefined, { 'X-HTTP-Method-Override': 'PATCH' });
  checkAnswer(repoRoot, 'POST', upload, 405, 'application/problem+json', problem('method-not-allowed', 405), { 'X-HTTP-Method-Override': 'patch' });
  // what the document does say passes
  checkAnswer(repoRoot, 'GET', '/healthz', 200, 'application/json', { status: 'ok', schema: 23 });
  checkAnswer(repoRoot, 'GET', '/healthz', 200, 'application/json', { status: 'ok', schema: 23, demo: { clips_planned: 2, clips_published: 1, ready: false } });
  checkAnswer(repoRoot, 'GET', '/readyz', 200, 'application/json', { status: 'ready' });
  checkAnswer(repoRoot, 'GET', '/api/v1/nowhere', 404, 'application/problem+json', problem('not-found', 404));
});

test('the document is served at /api/v1/openapi.json, public and cacheable', async () => {
  const s = await startServer({ demo: false });
  try {
    const r = await fetch(`${s.url}/api/v1/openapi.json`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.match(r.headers.get('cache-control'), /^public, max-age=\d+$/);
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const text = await r.text();
    assert.equal(text, readFileSync(join(repoRoot, 'build/openapi.json'), 'utf8'), 'the binary serves the document make built');
    assert.equal(JSON.parse(text).openapi, '3.1.0');
    const again = await fetch(`${s.url}/api/v1/openapi.json`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await again.text()), '');
  } finally {
    await s.dispose();
  }
});

test('problem types are absolute and each has a page; an unknown slug is a 404', async () => {
  const s = await startServer({ demo: false });
  try {
    const p = expectProblem(assert, await api(s, 'GET', '/api/v1/me'), 401);
    assert.equal(p.type, `${s.url}/problems/unauthorized`, 'the default public URL is the address listened on');
    for (const [slug, t] of Object.entries(doc['x-problem-types'])) {
      const r = await fetch(`${s.url}/problems/${slug}`);
      assert.equal(r.status, 200, slug);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
      const html = await r.text();
      const esc = (x) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
      assert.ok(html.includes(`<h1>${esc(t.title)}</h1>`), `${slug}: its title`);
      assert.ok(html.includes(esc(t.description)), `${slug}: its description`);
      assert.ok(html.includes(`<code>${s.url}/problems/${slug}</code>`), `${slug}: its type URI`);
      for (const code of t.status) assert.ok(html.includes(String(code)), `${slug}: status ${code}`);
    }
    const none = expectProblem(assert, await api(s, 'GET', '/problems/no-such-problem'), 404);
    assert.equal(problemSlug(none), 'not-found');
  } finally {
    await s.dispose();
  }
});

test('--public-url names the problem types; a malformed one stops the start', async () => {
  const s = await startServer({ demo: false, args: ['--public-url', 'https://reel.example.com/casereel/'] });
  try {
    const p = expectProblem(assert, await api(s, 'GET', '/api/v1/feed'), 401);
    assert.equal(p.type, 'https://reel.example.com/casereel/problems/unauthorized', 'the trailing slash is dropped');
    const html = await (await fetch(`${s.url}/problems/unauthorized`)).text();
    assert.ok(html.includes('<code>https://reel.example.com/casereel/problems/unauthorized</code>'));
  } finally {
    await s.dispose();
  }
  const env = { ...process.env, CASEREEL_PUBLIC_URL: 'reel.example.com' };
  const bad = spawnSync(join(binDir, 'casereel'), ['serve', '--port', '0', '--data', '/nonexistent/never-made'], { env, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--public-url must be http:\/\/HOST/);
});

test('the versioned web client, readiness and media link refusals answer as the document says', async () => {
  const s = await startServer({ demo: false });
  try {
    // every answer below also passes the document's check in api()
    assert.equal((await api(s, 'GET', '/readyz')).json.status, 'ready');
    const index = (await api(s, 'GET', '/')).body;
    for (const kind of ['app', 'vendor']) {
      const m = new RegExp(`/v/([0-9a-f]{8,64})/${kind}/[a-z0-9_.-]+\\.js`).exec(index);
      assert.ok(m, `the built index.html names a versioned ${kind} script`);
      const r = await api(s, 'GET', m[0]);
      assert.equal(r.status, 200, m[0]);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      expectProblem(assert, await api(s, 'GET', m[0].replace(m[1], m[1].toUpperCase())), 404);
    }
    const sig = 'AAAAAAAAAAAAAAAAAAAAAA';
    for (const path of [`/media/v/1/1/9999999999/${sig}/master.m3u8`, `/media/v/1/9999999999/${sig}/master.m3u8`])
      assert.equal(problemSlug(expectProblem(assert, await api(s, 'GET', path), 403)), 'invalid-signature', path);
  } finally {
    await s.dispose();
  }
});
