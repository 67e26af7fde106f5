// The living demo: a fresh `--demo` start answers at once and makes the
// seed's clips with lavfi in the background, sends them through our
// transcoder, publishes them and adds activity, so the feed fills within
// moments. Also: a restart does not make them again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, api, login, seedPath } from './lib/server.mjs';
import { probe } from './lib/media.mjs';
import { waitForDemo } from './lib/poll.mjs';

const CLIPS = 12;
const AGENTS = 120; // what `make run` makes: the learning loop's demo population
const dataDir = mkdtempSync(join(tmpdir(), 'casereel-demo-'));
let s, token, items, listenSeconds, startSeconds;

before(async () => {
  const t0 = Date.now();
  s = await startServer({ clips: CLIPS, agents: AGENTS, dataDir });
  listenSeconds = (Date.now() - t0) / 1000;
  await waitForDemo(s);
  startSeconds = (Date.now() - t0) / 1000;
  token = await login(s, 'agent1');
  const r = await api(s, 'GET', '/api/v1/feed?limit=20', { token });
  assert.equal(r.status, 200, r.body);
  items = r.json.items;
});

after(async () => {
  if (s) await s.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

test('first start answers at once and makes the clips, with progress lines, in reasonable time', (t) => {
  t.diagnostic(`first start with ${CLIPS} demo clips: listening after ${listenSeconds.toFixed(1)} s, demo ready after ${startSeconds.toFixed(1)} s`);
  assert.ok(listenSeconds < 15, `listening took ${listenSeconds} s: the clips must not hold it up`);
  assert.match(s.stderr, new RegExp(`demo clip ${CLIPS}/${CLIPS} ready`));
  assert.match(s.stderr, new RegExp(`demo: ${CLIPS} of ${CLIPS} clips published`));
  assert.doesNotMatch(s.stderr, /error demo|demo clips could not be made/);
  assert.ok(startSeconds < 15 * CLIPS, `first start took ${startSeconds} s`);
});

/** The demo clips' titles, but those `user` made (nobody is shown their own). */
const seededFor = (user) => JSON.parse(readFileSync(seedPath, 'utf8')).clips.slice(0, CLIPS)
  .filter((c) => c.creator !== user).map((c) => c.title);

test('the feed has every demo clip but the viewer\'s own, each with a reason', () => {
  const seeded = seededFor('agent1');
  assert.ok(seeded.length < CLIPS, 'agent1 made some of them');
  assert.equal(items.length, seeded.length, `feed has ${items.length} items`);
  for (const it of items) {
    assert.equal(typeof it.reason, 'string');
    assert.ok(it.reason.length > 0, `item ${it.id} has no reason`);
    assert.ok(it.title.length > 0);
    assert.ok(it.duration >= 2 && it.duration <= 30, `duration ${it.duration}`);
    for (const k of ['hls', 'mp4', 'poster', 'thumbnail']) assert.ok(it.urls?.[k], `item ${it.id} lacks urls.${k}`);
  }
  assert.deepEqual(items.map((it) => it.title).sort(), [...seeded].sort());
  assert.ok(items.some((it) => /[\u4e00-\u9fff]/.test(it.title)), 'some titles are in Chinese');
});

test('the feed is spread over creators, teams, tags and days', () => {
  for (let i = 1; i < items.length; i++)
    assert.notEqual(items[i].creator.id, items[i - 1].creator.id, `same creator twice in a row at ${i}`);
  const creators = new Set(items.map((it) => it.creator.id));
  const teams = new Set(items.map((it) => it.creator.team));
  const tags = new Set(items.flatMap((it) => it.tags));
  assert.ok(creators.size >= 6, `only ${creators.size} creators`);
  assert.ok(teams.size >= 3, `only ${teams.size} teams`);
  assert.ok(tags.size >= 6, `only ${tags.size} tags`);
  const published = items.map((it) => it.published_at);
  const spreadDays = (Math.max(...published) - Math.min(...published)) / 86400;
  assert.ok(spreadDays >= 5, `published over only ${spreadDays.toFixed(1)} days`);
  assert.ok(Math.max(...published) <= Date.now() / 1000);
});

test('counts and the viewer state show activity, and they differ', () => {
  assert.ok(items.filter((it) => it.counts.likes > 0).length >= CLIPS / 2, 'likes');
  assert.ok(items.filter((it) => it.counts.comments > 0).length >= 3, 'comments');
  assert.ok(items.filter((it) => it.counts.views > 0).length >= CLIPS / 2, 'views');
  assert.ok(new Set(items.map((it) => it.counts.likes)).size >= 3, 'like counts all alike');
  assert.ok(items.some((it) => it.viewer.liked), 'agent1 liked nothing');
  assert.ok(items.some((it) => it.viewer.watched || it.viewer.progress > 0), 'agent1 watched nothing');
  const reasons = new Set(items.map((it) => it.reason));
  assert.ok(reasons.size >= 3, `only these reasons: ${[...reasons].join(', ')}`);
});

test('comments read like people wrote them', async () => {
  const busy = items.find((it) => it.counts.comments >= 2);
  assert.ok(busy, 'no clip with two comments');
  const r = await api(s, 'GET', `/api/v1/videos/${busy.id}/comments`, { token });
  assert.equal(r.status, 200, r.body);
  const list = Array.isArray(r.json) ? r.json : r.json.items;
  assert.equal(list.length, busy.counts.comments);
  for (const c of list) {
    assert.ok(c.body.length > 3);
    assert.ok(c.created_at >= busy.published_at && c.created_at <= Date.now() / 1000 + 1);
  }
});

test('the shop ships stocked, from a coffee to the star of the year', async () => {
  const shop = (await api(s, 'GET', '/api/v1/shop/items', { token })).json.items;
  assert.ok(shop.length >= 3, `${shop.length} items`);
  assert.ok(shop.every((i) => i.active && i.stock > 0 && i.name && i.description));
  const prices = shop.map((i) => i.price);
  assert.ok(Math.min(...prices) <= 50 && Math.max(...prices) >= 1000, `prices ${prices}`);
});

test('the learning loop demo: computed gaps, a fired rule, a path in the feed, the planted effect found', async () => {
  const trainer = await login(s, 'trainer1');
  const get = async (path, tok = trainer) => {
    const r = await api(s, 'GET', path, { token: tok });
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    return r.json;
  };
  const paths = Object.fromEntries((await get('/api/v1/paths')).items.map((p) => [p.name, p.id]));
  assert.deepEqual(Object.keys(paths).sort(), ['Billing basics', 'Calm calls', 'Refunds mastery', 'Refunds refresher']);

  // finishing "Refunds mastery" lifted refunds QA by 8 in the seed; the others did nothing
  const impact = async (name, tag) =>
    (await get(`/api/v1/impact?path_id=${paths[name]}&metric=qa_score&tag=${tag}`)).estimate;
  const planted = await impact('Refunds mastery', 'refunds');
  assert.ok(planted.enough && planted.n_treated >= 20 && planted.n_control >= 20, JSON.stringify(planted));
  // one world, so no coverage claim here (the unit tests count coverage over 100 worlds):
  // the effect is found, clearly above zero and near the 8 points planted
  assert.ok(planted.ci_low > 3 && Math.abs(planted.difference - 8) < 2, JSON.stringify(planted));
  for (const [name, tag] of [['Billing basics', 'billing'], ['Calm calls', 'de-escalation']]) {
    const none = await impact(name, tag);
    assert.ok(none.enough && none.ci_low <= 0 && 0 <= none.ci_high, `${name}: ${JSON.stringify(none)}`);
  }

  // agent1 is in a refunds slump: a computed gap with evidence, a rule that fired, the path first in the feed
  const agent1 = await login(s, 'agent1');
  const me = await get('/api/v1/me', agent1);
  const profile = await get(`/api/v1/users/${me.id}/profile`, agent1);
  assert.equal(profile.gaps[0].tag, 'refunds');
  assert.equal(profile.gaps[0].source, 'computed');
  assert.match(profile.gaps[0].evidence[0].code, /^below-target/);
  assert.ok(profile.learning.paths_in_progress.some((p) => p.name === 'Refunds mastery' && p.steps_done === 0),
    JSON.stringify(profile.learning.paths_in_progress));
  const rules = (await get('/api/v1/push-rules')).items;
  assert.equal(rules.length, 1);
  assert.ok(rules[0].pushes.open >= 1);
  const history = (await get(`/api/v1/push-rules/${rules[0].id}`)).history;
  assert.ok(history.some((p) => p.user_id === me.id && p.state === 'open'));
  const feed = (await get('/api/v1/feed?limit=5', agent1)).items;
  assert.equal(feed[0].reason_code, 'path');
  assert.ok((await get('/api/v1/me/paths', agent1)).items.length >= 2);
});

test('posters are served as JPEG through the signed URLs', async (t) => {
  for (const it of items.slice(0, 4)) {
    const res = await fetch(s.url + it.urls.poster);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status === 404 && /no such endpoint/.test(body.toString())) {
      t.skip('the media endpoint is not there yet (404 "no such endpoint")');
      return;
    }
    assert.equal(res.status, 200, `${it.urls.poster}: ${res.status}`);
    assert.match(res.headers.get('content-type') || '', /^image\/jpeg/);
    assert.deepEqual([...body.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic');
  }
});

test('the published media on disk is real H.264 + AAC from our transcoder', () => {
  for (const it of items) {
    const clipDir = join(dataDir, 'media', 'v', String(it.id));
    const dir = join(clipDir, '1'); // media version 1
    for (const f of ['master.m3u8', '720p.m3u8', '720p.mp4', '360p.mp4', 'poster.jpg', 'thumb.jpg'])
      assert.ok(existsSync(join(dir, f)), `${dir}/${f} missing`);
    assert.ok(!existsSync(`${clipDir}.tmp`), `${clipDir}.tmp left behind`);
    const p = probe(join(dir, '720p.mp4'));
    const v = p.streams.find((x) => x.codec_type === 'video');
    const a = p.streams.find((x) => x.codec_type === 'audio');
    assert.equal(v.codec_name, 'h264');
    assert.equal(v.pix_fmt, 'yuv420p');
    assert.equal(`${v.width}x${v.height}`, '720x1280');
    assert.equal(a?.codec_name, 'aac');
    assert.ok(Math.abs(Number(p.format.duration) - it.duration) < 0.5, `duration ${p.format.duration} vs ${it.duration}`);
  }
});

test('a restart keeps the clips, makes no new ones, and a feed cursor from before pages on', async () => {
  const first = await api(s, 'GET', '/api/v1/feed?limit=4', { token });
  assert.equal(first.status, 200, first.body);
  assert.ok(first.json.next_cursor, 'a first page of 4 has a next page');
  await s.dispose();
  s = null;
  const t0 = Date.now();
  s = await startServer({ clips: CLIPS, agents: AGENTS, dataDir });
  await waitForDemo(s);
  const seconds = (Date.now() - t0) / 1000;
  assert.doesNotMatch(s.stderr, /making \d+ demo clips/);
  assert.ok(seconds < 10, `restart took ${seconds} s`);
  const tok = await login(s, 'agent2');
  const r = await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.items.length, seededFor('agent2').length, `feed after restart has ${r.json.items.length} items`);
  // the order agent1 was paging through was kept on disk: the next page
  // follows it, with nothing of the first page again
  const next = await api(s, 'GET', `/api/v1/feed?limit=4&cursor=${first.json.next_cursor}`,
    { token: await login(s, 'agent1') });
  assert.equal(next.status, 200, next.body);
  assert.equal(next.json.items.length, 4);
  const seen = new Set(first.json.items.map((it) => it.id));
  assert.ok(next.json.items.every((it) => !seen.has(it.id)), 'the next page repeats the first');
});
