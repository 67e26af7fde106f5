// bench/scale_load.mjs: the HTTP load of bench/scale.sh. One GET per token
// (each token a different viewer) through CONNECTIONS keep-alive
// connections, or POST logins; prints one JSON line with the latency
// percentiles (ms), the request count and the non-2xx count.
//   node bench/scale_load.mjs get URL TOKENS_FILE CONNECTIONS [ROUNDS]
//   node bench/scale_load.mjs login URL USERS_FILE CONNECTIONS PASSWORD
// TOKENS_FILE / USERS_FILE: one token or username a line.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [mode, url, file, connections = '32', extra = '1'] = process.argv.slice(2);
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const target = new URL(url);

function request(line) {
	return new Promise((resolve) => {
		const body = mode === 'login' ? JSON.stringify({ username: line, password: extra }) : null;
		const headers = body
			? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }
			: { Authorization: `Bearer ${line}` };
		const t0 = process.hrtime.bigint();
		const req = http.request(
			{ agent, host: target.hostname, port: target.port, path: target.pathname + target.search,
			  method: body ? 'POST' : 'GET', headers },
			(res) => {
				res.resume();
				res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.statusCode }));
			});
		req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: 0 }));
		if (body) req.write(body);
		req.end();
	});
}

// the client warms up first, uncounted: its connections open and node's JIT
// compiles this loop, so the first measured requests time the server, not
// node starting (they made a 300-request round's p99 on their own)
async function warmUp() {
	const probe = () => new Promise((resolve) => {
		const req = http.request({ agent, host: target.hostname, port: target.port, path: '/healthz' },
			(res) => { res.resume(); res.on('end', resolve); });
		req.on('error', resolve);
		req.end();
	});
	for (let k = 0; k < 8; k++) await Promise.all(Array.from({ length: Number(connections) }, probe));
}
await warmUp();

const rounds = mode === 'login' ? 1 : Number(extra);
const work = [];
for (let r = 0; r < rounds; r++) work.push(...lines);
const results = [];
let next = 0;
const started = process.hrtime.bigint();
async function worker() {
	while (next < work.length) results.push(await request(work[next++]));
}
await Promise.all(Array.from({ length: Number(connections) }, worker));
const wall = Number(process.hrtime.bigint() - started) / 1e6;
const ms = results.map((r) => r.ms).sort((a, b) => a - b);
const pct = (p) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)];
const round2 = (x) => Math.round(x * 100) / 100;
console.log(JSON.stringify({
	requests: ms.length, failed: results.filter((r) => r.status < 200 || r.status > 299).length,
	p50: round2(pct(50)), p90: round2(pct(90)), p99: round2(pct(99)), max: round2(ms[ms.length - 1]),
	wall_ms: Math.round(wall) }));
agent.destroy();
