// `make install` into a DESTDIR: the installed binary, started from / with
// nothing but a data directory, finds its web client and demo seed under
// PREFIX/share/casereel; the manual page renders with man(1); the systemd
// unit starts the installed binary with the hardening we promise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot, binDir, assertNoSanitizerReport } from './lib/server.mjs';

const PREFIX = '/usr/local';
// the variant under test: bin/ (release), bin/asan or bin/tsan
const variant = basename(binDir);
const SANITIZE = variant === 'asan' ? '1' : variant === 'tsan' ? 'thread' : '0';

let dest, root, server;

before(() => {
  dest = mkdtempSync(join(tmpdir(), 'casereel-install-'));
  root = join(dest, PREFIX.slice(1));
  execFileSync('make', ['-s', '--no-print-directory', 'install', `DESTDIR=${dest}`, `PREFIX=${PREFIX}`,
    `SANITIZE=${SANITIZE}`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
});

after(async () => {
  if (server && server.proc.exitCode === null) {
    server.proc.kill('SIGTERM');
    await server.exited;
  }
  if (dest) rmSync(dest, { recursive: true, force: true });
});

/** Starts the installed binary from / with a fresh data directory and no
 *  --web or --seed; resolves once it listens. */
async function startInstalled() {
  const data = join(dest, 'data');
  const proc = spawn(join(root, 'bin/casereel'), ['serve', '--port', '0', '--data', data, '--demo',
    '--demo-clips', '0', '--demo-agents', '0', '--access-log', '0'], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`installed server did not start:\n${err}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    });
    exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`installed server exited ${code}:\n${err}`)); });
  });
  return { proc, exited, url: `http://127.0.0.1:${port}`, get stderr() { return err; } };
}

test('make install lays out the binary, web client, seed, manual page and unit under PREFIX', () => {
  const bin = join(root, 'bin/casereel');
  assert.ok(statSync(bin).mode & 0o111, 'the binary is executable');
  assert.ok(existsSync(join(root, 'share/casereel/seeds/demo.json')));
  const index = readFileSync(join(root, 'share/casereel/web/index.html'), 'utf8');
  const main = index.match(/src="\/v\/([0-9a-f]{16})\/app\/main\.js"/);
  assert.ok(main, index);
  for (const f of ['app/main.js', 'app/main.js.gz', 'app/ui.css', 'vendor/hls.min.js', 'vendor/hls.min.js.gz'])
    assert.ok(existsSync(join(root, 'share/casereel/web/v', main[1], f)), f);
  assert.ok(existsSync(join(root, 'share/man/man1/casereel.1')));
  // the build's tree, not the sources: no unversioned copies, nothing else
  assert.ok(!existsSync(join(root, 'share/casereel/web/app')));
  // the one binary is all the server runs: transcode jobs re-execute it
  assert.ok(!existsSync(join(root, 'bin/casereel-transcode')));

  const unit = readFileSync(join(root, 'lib/systemd/system/casereel.service'), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=${PREFIX}/bin/casereel serve$`, 'm'));
  for (const line of ['DynamicUser=yes', 'StateDirectory=casereel', 'ProtectSystem=strict', 'NoNewPrivileges=yes',
    'PrivateTmp=yes', 'ProtectHome=yes', 'ProtectKernelTunables=yes', 'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'SystemCallFilter=@system-service', 'LockPersonality=yes', 'MemoryDenyWriteExecute=yes',
    'Restart=on-failure', 'KillSignal=SIGTERM', 'EnvironmentFile=-/etc/default/casereel',
    'Environment=CASEREEL_DATA=/var/lib/casereel'])
    assert.match(unit, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), line);
  // the stop waits longer than the server's drain (30 s)
  const stop = Number(unit.match(/^TimeoutStopSec=(\d+)s?$/m)[1]);
  assert.ok(stop > 30, `TimeoutStopSec=${stop}`);
});

test('the installed binary, started from /, finds its web client and demo seed', async () => {
  server = await startInstalled();
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'agent1', password: 'demo1234' }),
  });
  assert.equal(login.status, 200, 'the demo seed was loaded');
  assert.ok((await login.json()).token);
  const index = await fetch(`${server.url}/`);
  assert.equal(index.status, 200);
  const html = await index.text();
  const main = html.match(/src="(\/v\/[0-9a-f]+\/app\/main\.js)"/)[1];
  const js = await fetch(server.url + main);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await js.text(), readFileSync(join(repoRoot, 'web/app/main.js'), 'utf8'));
  server.proc.kill('SIGTERM');
  const { code } = await server.exited;
  assert.equal(code, 0);
  assertNoSanitizerReport(server.stderr);
});

test('man renders the installed page with every flag and its environment variable', () => {
  const page = execFileSync('man', ['-l', join(root, 'share/man/man1/casereel.1')],
    { env: { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' }, encoding: 'utf8' });
  assert.match(page, /^NAME\n\s+casereel - /m);
  // every flag --help prints is on the page, with its variable
  const help = spawnSync(join(root, 'bin/casereel'), ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  const flags = [...help.stderr.matchAll(/^\s+--([a-z0-9-]+)\s+(CASEREEL_[A-Z0-9_]+)/gm)];
  assert.ok(flags.length > 40, `only ${flags.length} flags in --help`);
  for (const [, flag, env] of flags) {
    assert.match(page, new RegExp(`^\\s+--${flag}\\b`, 'm'), flag);
    assert.ok(page.includes(env), env);
  }
  assert.match(page, /Environment: CASEREEL_PORT\. Default: 8080\./);
  assert.match(page, /\/etc\/default\/casereel/);
});
