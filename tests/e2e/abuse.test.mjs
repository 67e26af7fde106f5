// A contact-center floor behind one address while one of its clients
// attacks: 300 clients log in and load their feed while a sprayer guesses
// passwords (the admin's among them) and holds idle and trickling
// connections. Run behind a trusted proxy (X-Forwarded-For, one address per
// client) and behind a plain NAT (everyone is 127.0.0.1).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, api } from './lib/server.mjs';

const servers = [];
after(() => Promise.all(servers.map((s) => s.dispose())));

const FLOOR = 300;
const WAVE = 30; // phones logging in at the same moment
const ACCOUNTS = ['admin', 'trainer1', ...Array.from({ length: 8 }, (_, i) => `agent${i + 1}`)];
const TARGETS = [...ACCOUNTS, 'root', 'administrator', 'agent9', 'supervisor'];
const IDLE = 40;
const TRICKLE = 4;

/** A connection that sends nothing (idle) or one header byte a second
 *  (trickle); resolves with the seconds until the server closed it. */
function holdConnection(port, { trickle }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ' + 'a'.repeat(600);
    let i = 0, timer;
    sock.on('connect', () => {
      if (trickle) timer = setInterval(() => { if (i < head.length) sock.write(head[i++]); }, 1000);
    });
    const giveUp = setTimeout(() => sock.destroy(), 60000); // the server never cut it: fails below
    sock.on('data', () => {}); // a close is what we wait for
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp); // or the file's process lives on until it fires
      resolve((performance.now() - t0) / 1000);
    });
  });
}

/** Guesses passwords in `lanes` parallel loops until `stop.done`; counts
 *  what came back. */
async function spray(s, stop, headers, lanes = 8) {
  const seen = {};
  let n = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (!stop.done) {
      const username = TARGETS[n++ % TARGETS.length];
      const r = await api(s, 'POST', '/api/v1/auth/login', { json: { username, password: `guess-${n}` }, headers });
      seen[r.status] = (seen[r.status] || 0) + 1;
    }
  }));
  return seen;
}

/** One phone: logs in with the right password and loads the feed. */
async function phone(s, i, headers) {
  const username = ACCOUNTS[i % ACCOUNTS.length];
  const t0 = performance.now();
  const r = await api(s, 'POST', '/api/v1/auth/login', { json: { username, password: 'demo1234' }, headers });
  const loginSeconds = (performance.now() - t0) / 1000;
  assert.equal(r.status, 200, `phone ${i} (${username}): ${r.status} ${r.body}`);
  const feed = await api(s, 'GET', '/api/v1/feed', { token: r.json.token, headers });
  assert.equal(feed.status, 200, `phone ${i} feed: ${feed.status} ${feed.body}`);
  return loginSeconds;
}

async function floor({ proxied }) {
  // a long idle timeout: only the head deadline may cut the idle and trickling
  const args = ['--connection-timeout', '3600', ...(proxied ? ['--trusted-proxies', '127.0.0.1/32'] : [])];
  const s = await startServer({ args });
  servers.push(s);
  const via = (addr) => (proxied ? { 'x-forwarded-for': addr } : {});

  const held = [
    ...Array.from({ length: IDLE }, () => holdConnection(s.port, { trickle: false })),
    ...Array.from({ length: TRICKLE }, () => holdConnection(s.port, { trickle: true })),
  ];
  const stop = { done: false };
  const sprayed = spray(s, stop, via('203.0.113.66'));
  await sleep(1000); // the sprayer is past every budget before the floor arrives

  const latencies = [];
  for (let wave = 0; wave < FLOOR; wave += WAVE) {
    const phones = Array.from({ length: WAVE }, (_, k) => wave + k);
    latencies.push(...await Promise.all(phones.map((i) => phone(s, i, via(`10.1.${i >> 8}.${i & 255}`)))));
  }
  stop.done = true;
  const seen = await sprayed;
  const closedAfter = await Promise.all(held);

  assert.equal(latencies.length, FLOOR);
  // backoff delays a right password by --login-backoff-max (4 s) at most;
  // the rest is queueing on a shared 2-core machine, hence the margin
  const worst = Math.max(...latencies);
  assert.ok(worst < 20, `slowest login took ${worst.toFixed(1)} s`);
  // the sprayer was slowed down, not let through
  assert.ok((seen[429] || 0) > 0, `sprayer saw ${JSON.stringify(seen)}`);
  assert.equal(seen[200], undefined, `sprayer saw ${JSON.stringify(seen)}`);
  // every held connection was cut by the 10 s head deadline, long before the idle timeout
  for (const t of closedAfter) assert.ok(t >= 8 && t < 25, `a held connection lasted ${t.toFixed(1)} s`);
}

test('behind a trusted proxy, 300 clients log in and load the feed while one sprays and holds connections', () => floor({ proxied: true }));

test('behind a plain NAT, 300 clients log in and load the feed while one sprays and holds connections', () => floor({ proxied: false }));
