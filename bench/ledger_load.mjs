// Load generator for bench/ledger.sh: CLIENTS concurrent clients, each on
// its own keep-alive connection, POSTing tips with fresh Idempotency-Keys
// for DURATION seconds (after WARMUP). Prints one JSON line of results.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

const [url, video, tokensCsv] = process.argv.slice(2);
const CLIENTS = Number(process.env.CLIENTS || 32);
const DURATION = Number(process.env.DURATION || 10) * 1000;
const WARMUP = Number(process.env.WARMUP || 2) * 1000;
const tokens = tokensCsv.split(',');
const { hostname, port } = new URL(url);
const body = JSON.stringify({ gift: 'thanks', count: 1 });

function post(agent, token) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = request({ agent, hostname, port, method: 'POST', path: `/api/v1/videos/${video}/tips`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(body), 'idempotency-key': randomUUID() } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, us: Number(process.hrtime.bigint() - t0) / 1000 }));
    });
    req.on('error', () => resolve({ status: 0, us: 0 }));
    req.end(body);
  });
}

const start = Date.now();
const measureFrom = start + WARMUP, stopAt = measureFrom + DURATION;
let ok = 0, failed = 0;
const lat = [];
await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const token = tokens[c % tokens.length];
  for (;;) {
    const now = Date.now();
    if (now >= stopAt) break;
    const r = await post(agent, token);
    if (now < measureFrom) continue;
    if (r.status === 201) { ok++; lat.push(r.us); } else failed++;
  }
  agent.destroy();
}));
lat.sort((a, b) => a - b);
const pct = (p) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] / 100) / 10 : 0);
console.log(JSON.stringify({ clients: CLIENTS, seconds: DURATION / 1000, tips_ok: ok, failed,
  tips_per_s: Math.round(ok / (DURATION / 1000)), p50_ms: pct(0.5), p99_ms: pct(0.99) }));
