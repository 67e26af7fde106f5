// Backups an operator can trust: `casereel backup` copies a running server's
// database from one snapshot while phones keep writing, so the copy holds
// every point acknowledged before it began and passes integrity_check;
// `casereel restore` brings it up in a new data directory and never
// overwrites a live one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, runCasereel, api, login, advanceClock, binDir } from './lib/server.mjs';

const work = mkdtempSync(join(tmpdir(), 'casereel-backup-'));
after(() => rmSync(work, { recursive: true, force: true }));

const casereel = runCasereel;
const sql = (db, q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' }).trim();

test('a backup taken under write load restores every acknowledged point and passes integrity_check', async () => {
  const s = await startServer({ args: ['--transcode-workers', '0'] });
  const agents = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8'];
  const tok = Object.fromEntries(await Promise.all(agents.map(async (u) => [u, await login(s, u)])));
  // the floor checks in every (simulated) day while the backup runs
  const acked = []; // {user, day, at}: check-ins answered 201
  let stop = false, days = 0;
  const load = (async () => {
    while (!stop) {
      await advanceClock(s, 86400);
      days++;
      await Promise.all(agents.map(async (u) => {
        const r = await api(s, 'POST', '/api/v1/me/checkin', { token: tok[u] });
        if (r.status === 201) acked.push({ user: u, at: Date.now() });
      }));
    }
  })();
  while (days < 3) await new Promise((r) => setTimeout(r, 20));

  const dest = join(work, 'nightly');
  const began = Date.now();
  const backup = await casereel(['backup', dest, '--data', s.dir]);
  stop = true;
  await load;
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /^backed up .+ database \d+ bytes \(schema \d+\), media key, manifest of \d+ media files/);
  assert.ok(days > 3, 'writes went on while the backup ran');
  assert.equal(statSync(join(dest, 'media.key')).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dest, 'media.key')).toString('hex'), readFileSync(join(s.dir, 'media.key')).toString('hex'));
  assert.equal(sql(join(dest, 'casereel.db'), 'PRAGMA integrity_check'), 'ok');

  // a second backup into the same place is refused, the first one untouched
  const again = await casereel(['backup', dest, '--data', s.dir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /is not empty/);

  // restore: never over the live data directory (its server holds the lock), then into a new one
  const live = await casereel(['restore', dest, '--data', s.dir]);
  assert.equal(live.code, 2);
  assert.match(live.stderr, /a casereel server is running on .*: restore into a new data directory/);
  const fresh = join(work, 'restored');
  const restored = await casereel(['restore', dest, '--data', fresh]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /^restored .+ database \d+ bytes/);
  const before = acked.filter((a) => a.at < began).length;
  const liveCount = Number(sql(join(s.dir, 'casereel.db'), "SELECT count(*) FROM point_transfers WHERE kind = 'checkin'"));
  await s.dispose();

  const r = await startServer({ dataDir: fresh, demo: false, args: ['--transcode-workers', '0'] });
  try {
    const got = Number(sql(join(fresh, 'casereel.db'), "SELECT count(*) FROM point_transfers WHERE kind = 'checkin'"));
    assert.ok(got >= before, `the backup holds the ${before} check-ins acknowledged before it began (it has ${got})`);
    assert.ok(got <= liveCount, 'and nothing that never happened');
    // the restored server answers with the same accounts and balances as the copy
    const agent1 = await login(r, 'agent1');
    const me = await api(r, 'GET', '/api/v1/me/points', { token: agent1 });
    assert.equal(me.status, 200);
    assert.equal(sql(join(fresh, 'casereel.db'), 'PRAGMA integrity_check'), 'ok');
  } finally {
    await r.dispose();
  }
});

test('restore refuses what is not a backup', async () => {
  const junk = join(work, 'junk');
  execFileSync('mkdir', ['-p', junk]);
  const r = await casereel(['restore', junk, '--data', join(work, 'nowhere')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not a casereel backup/);
});
