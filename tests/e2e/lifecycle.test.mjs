// Starting and failing to start, as an operator meets them: the server runs
// from any working directory (it finds its seed and web client next to the
// executable), and a start that fails leaves no half-made data directory
// behind, while one that was there before is never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, api, binDir } from './lib/server.mjs';

/** Runs `casereel serve args` from `cwd` until it prints its port (then
 *  resolves {port, proc}) or exits (then resolves {code, stderr}). */
function serve(args, cwd) {
  return new Promise((resolve) => {
    const proc = spawn(join(binDir, 'casereel'), ['serve', '--port', '0', '--access-log', '0', ...args],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', stderr = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) resolve({ port: Number(m[1]), proc });
    });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('the server starts from any working directory and finds its seed and web client', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'casereel-cwd-'));
  try {
    const s = await serve(['--data', 'data', '--demo', '--demo-clips', '0', '--demo-agents', '0'], elsewhere);
    assert.ok(s.port, `it started: ${s.stderr}`);
    try {
      const url = `http://127.0.0.1:${s.port}`;
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type'), /text\/html/);
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'agent1', password: 'demo1234' }) });
      assert.equal(login.status, 200, 'the demo seed was found and loaded');
      assert.ok(existsSync(join(elsewhere, 'data', 'casereel.db')), '--data is taken from the working directory');
    } finally {
      s.proc.kill('SIGTERM');
      await new Promise((r) => s.proc.on('exit', r));
    }
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('a failed start removes the data directory it made, and never one that was there', async () => {
  const holder = await startServer({ demo: false, args: ['--transcode-workers', '0'] });
  const parent = mkdtempSync(join(tmpdir(), 'casereel-failed-'));
  try {
    // the port is taken: the database was made and seeded before the listen failed
    const fresh = join(parent, 'new');
    const taken = await serve(['--data', fresh, '--demo', '--demo-clips', '0', '--port', String(holder.port)]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /removed .*new, which this failed start had made/);
    assert.equal(existsSync(fresh), false);
    // a seed that is not there
    const noSeed = await serve(['--data', fresh, '--demo', '--seed', join(parent, 'missing.json')]);
    assert.equal(noSeed.code, 1);
    assert.equal(existsSync(fresh), false);
    // an unknown time zone is refused before anything is made
    const zone = await serve(['--data', fresh, '--timezone', 'Mars/Olympus']);
    assert.equal(zone.code, 2);
    assert.equal(existsSync(fresh), false);
    // an existing data directory stays, whatever happens
    const again = await serve(['--data', holder.dir, '--port', String(holder.port)]);
    assert.equal(again.code, 1);
    assert.ok(readdirSync(holder.dir).includes('casereel.db'));
    assert.equal((await api(holder, 'GET', '/healthz')).status, 200);
  } finally {
    rmSync(parent, { recursive: true, force: true });
    await holder.dispose();
  }
});
