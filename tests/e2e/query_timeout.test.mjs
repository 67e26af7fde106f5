// A time budget for every request's SQL (--query-timeout, issue 18): a
// query past it is stopped and the request answers 503 query-timeout while
// the server goes on serving; a stop (SIGTERM) during a slow query ends the
// server within 10 s instead of waiting for the query.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectProblem, login, problemSlug, serverPool } from './lib/server.mjs';

const server = serverPool(after);
// counting this far in SQL takes minutes: only a budget or a stop ends it
const FOREVER = 10_000_000_000;

test('a request whose query runs past --query-timeout answers 503 query-timeout, and the server goes on', async () => {
  const s = await server({ demo: true, args: ['--transcode-workers', '0', '--query-timeout', '1'] });
  const quick = await api(s, 'POST', '/api/v1/test/slow-query', { json: { count_to: 1000 } });
  assert.equal(quick.status, 200);
  assert.equal(quick.json.count, 1000);
  const t0 = Date.now();
  const slow = await api(s, 'POST', '/api/v1/test/slow-query', { json: { count_to: FOREVER } });
  const took = Date.now() - t0;
  const p = expectProblem(assert, slow, 503);
  assert.equal(problemSlug(p), 'query-timeout');
  assert.match(p.detail, /1000 ms budget/);
  assert.ok(slow.headers.get('retry-after'), 'Retry-After says when to try again');
  assert.ok(took >= 900 && took < 5000, `stopped after its 1 s budget, not ${took} ms`);
  // the thread's connection serves the next request normally
  const token = await login(s, 'trainer1');
  for (let i = 0; i < 3; i++)
    assert.equal((await api(s, 'GET', '/api/v1/leaderboards/creators?period=week', { token })).status, 200);
  assert.equal((await api(s, 'POST', '/api/v1/test/slow-query', { json: { count_to: 10 } })).json.count, 10);
});

test('SIGTERM during a slow query stops the server within 10 s', async () => {
  // a budget far beyond the test: only the stop can end the query
  const s = await server({ demo: true, args: ['--transcode-workers', '0', '--query-timeout', '600'] });
  const slow = api(s, 'POST', '/api/v1/test/slow-query', { json: { count_to: FOREVER } });
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  const { code, signal } = await s.stop('SIGTERM');
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `stopped in ${took} ms`);
  assert.equal(code, 0, `an orderly exit (signal ${signal})\n${s.stderr.slice(-1500)}`);
  const answer = await slow.catch((e) => ({ status: 0, error: e }));
  // the stopped query's request answered 503, or its connection was closed with the server
  assert.ok(answer.status === 503 || answer.status === 0, `the slow request got ${answer.status}`);
  if (answer.status === 503) assert.equal(problemSlug(answer.json), 'query-timeout');
});
