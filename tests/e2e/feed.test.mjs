// Review lifecycle and its permissions, the ranked feed and its cursor,
// likes, comments and watch events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api, login, expectProblem, advanceClock } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

let s, tok, clip;
const users = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'trainer1', 'admin'];

before(async () => {
  clip = readFileSync(makeClip('feed.mp4', { seconds: 2, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
});
after(() => s.dispose());

/** Uploads a clip as `user` and waits until it is pending review. */
async function uploadReady(user, title, tags = '', body = clip) {
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}&tags=${tags}`,
    { token: tok[user], body, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, tok[user], r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  return v.id;
}

const approve = (id) => api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.trainer1, json: { decision: 'approve' } });

async function publish(user, title, tags, body) {
  const id = await uploadReady(user, title, tags, body);
  assert.equal((await approve(id)).status, 200);
  return id;
}

test('review lifecycle: only trainers review; unpublished clips stay private', async () => {
  const id = await uploadReady('agent1', 'Pending clip', 'refunds');
  // agents cannot see the queue or decide
  expectProblem(assert, await api(s, 'GET', '/api/v1/review', { token: tok.agent2 }), 403);
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.agent1, json: { decision: 'approve' } }), 403);
  // others cannot see it, its owner and trainers can
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.agent2 }), 404);
  assert.equal((await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.agent1 })).status, 200);
  const queue = await api(s, 'GET', '/api/v1/review', { token: tok.trainer1 });
  assert.ok(queue.json.items.some((v) => v.id === id));
  // rejecting needs a reason
  const noReason = expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.trainer1, json: { decision: 'reject' } }), 422);
  assert.equal(noReason.field, 'reason');
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.trainer1, json: { decision: 'maybe' } }), 422);
  // the trainer's preview links work while the clip waits for review
  const links = (await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.trainer1 })).json.urls;
  assert.equal((await fetch(s.url + links.poster)).status, 200);
  const rej = await api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.trainer1, json: { decision: 'reject', reason: 'Customer phone number visible' } });
  assert.equal(rej.status, 200);
  assert.equal(rej.json.status, 'rejected');
  assert.equal(rej.json.urls, null);
  // ... and stop working once it is rejected: the phone number is not one link away
  for (const url of [links.poster, links.mp4]) assert.equal((await fetch(s.url + url)).status, 404, url);
  expectProblem(assert, await approve(id), 409);
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.agent2 }), 404);
  // a trainer never reviews their own clip: it waits in the queue of the others
  const own = await uploadReady('trainer1', 'Trainer clip', 'refunds');
  assert.ok(!(await api(s, 'GET', '/api/v1/review?limit=100', { token: tok.trainer1 })).json.items.some((v) => v.id === own));
  assert.ok((await api(s, 'GET', '/api/v1/review?limit=100', { token: tok.admin })).json.items.some((v) => v.id === own));
  // published clips are visible to everyone; likes need published clips
  const pub = await publish('agent2', 'Published clip', 'empathy');
  assert.equal((await api(s, 'GET', `/api/v1/videos/${pub}`, { token: tok.agent3 })).json.status, 'published');
  expectProblem(assert, await api(s, 'PUT', `/api/v1/videos/${id}/like`, { token: tok.agent3 }), 404);
});

test('owners edit and delete their clips; trainers remove any; others cannot', async () => {
  const id = await publish('agent3', 'Draft title', 'billing');
  const edit = await api(s, 'PATCH', `/api/v1/videos/${id}`, { token: tok.agent3, json: { title: 'Better title', tags: ['billing', 'retention'] } });
  assert.equal(edit.status, 202, edit.body); // a published clip's edit waits for review
  assert.equal(edit.json.title, 'Draft title');
  assert.deepEqual({ title: edit.json.edit.title, tags: edit.json.edit.tags }, { title: 'Better title', tags: ['billing', 'retention'] });
  expectProblem(assert, await api(s, 'PATCH', `/api/v1/videos/${id}`, { token: tok.agent4, json: { title: 'Hijacked' } }), 404);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/videos/${id}`, { token: tok.agent4 }), 404);
  const p = expectProblem(assert, await api(s, 'PATCH', `/api/v1/videos/${id}`, { token: tok.agent3, json: { tags: ['nope'] } }), 422);
  assert.equal(p.field, 'tags');
  const other = await publish('agent4', 'To be removed', 'billing');
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${other}`, { token: tok.trainer1 })).status, 204);
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${other}`, { token: tok.agent4 }), 404);
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${id}`, { token: tok.agent3 })).status, 204);
  const list = await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent1 });
  assert.ok(!list.json.items.some((v) => v.id === id || v.id === other));
});

test('feed items carry clip, creator, counts, viewer state and a reason', async () => {
  await publish('agent5', 'Compliance basics', 'compliance');
  const r = await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent1 });
  assert.equal(r.status, 200);
  assert.ok(r.json.items.length >= 2);
  const item = r.json.items.find((i) => i.title === 'Compliance basics');
  assert.ok(item, 'published clip is in the feed');
  assert.deepEqual(item.tags, ['compliance']);
  assert.ok(item.duration > 1.5 && item.duration < 2.5);
  for (const k of ['hls', 'mp4', 'poster', 'thumbnail']) assert.match(item.urls[k], /^\/media\/v\//);
  assert.equal(item.creator.display_name, 'Liu Yang');
  assert.equal(item.creator.team, 'Technical Support');
  assert.deepEqual(Object.keys(item.counts).sort(), ['comments', 'likes', 'tips', 'views']);
  assert.deepEqual(item.viewer, { liked: false, watched: false, progress: 0 });
  // agent1 is weak in compliance: the reason says so
  assert.match(item.reason, /working on: compliance/);
  assert.equal(item.reason_code, 'weak-skill');
  assert.deepEqual(item.reason_tags, ['compliance']);
  const codes = ['must-watch', 'featured', 'weak-skill', 'team', 'onboarding', 'popular', 'new', 'interest', 'recommended'];
  for (const i of r.json.items) {
    assert.ok(i.reason, `item ${i.id} has a reason`);
    assert.ok(codes.includes(i.reason_code), `item ${i.id} reason_code ${i.reason_code}`);
    assert.ok(Array.isArray(i.reason_tags), `item ${i.id} reason_tags`);
    for (const t of i.reason_tags) assert.ok(i.tags.includes(t), `reason tag ${t} is one of the clip's tags, whole`);
  }
  expectProblem(assert, await api(s, 'GET', '/api/v1/feed?limit=500', { token: tok.agent1 }), 422);
  expectProblem(assert, await api(s, 'GET', '/api/v1/feed?cursor=garbage', { token: tok.agent1 }), 400);
});

test('cursor pages never repeat or skip while likes change, and are per viewer', async () => {
  const creators = ['agent6', 'agent7', 'agent8', 'agent6', 'agent7', 'agent8'];
  for (const [i, u] of creators.entries()) await publish(u, `Paging clip ${i}`, 'retention');
  const first = await api(s, 'GET', '/api/v1/feed?limit=3', { token: tok.agent2 });
  const all = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent2 })).json.items.map((i) => i.id);
  const seen = first.json.items.map((i) => i.id);
  let cursor = first.json.next_cursor;
  assert.ok(cursor);
  // someone else's cursor is refused
  expectProblem(assert, await api(s, 'GET', `/api/v1/feed?cursor=${cursor}`, { token: tok.agent3 }), 400);
  // while many people like clips, page through the rest
  const ids = all.slice();
  const storm = Promise.all(users.flatMap((u) => ids.map((id) => api(s, 'PUT', `/api/v1/videos/${id}/like`, { token: tok[u] }))));
  while (cursor) {
    const page = await api(s, 'GET', `/api/v1/feed?limit=3&cursor=${cursor}`, { token: tok.agent2 });
    assert.equal(page.status, 200, page.body);
    seen.push(...page.json.items.map((i) => i.id));
    cursor = page.json.next_cursor;
  }
  await storm;
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  assert.deepEqual([...seen].sort(), [...all].sort(), 'no gaps');
  // never the same creator twice in a row
  const feed = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent2 })).json.items;
  for (let i = 1; i < feed.length; i++)
    assert.notEqual(feed[i].creator.id, feed[i - 1].creator.id, `items ${i - 1} and ${i} share a creator`);
});

test('likes are idempotent and exact under 50 concurrent likers', async () => {
  const id = await publish('agent1', 'Like magnet', 'empathy');
  // 50 logged-in people besides the creator: the other demo users plus 41 imported ones
  const csv = 'username,display_name,password\n' + Array.from({ length: 41 }, (_, i) => `liker${i},Liker ${i},liker-pass-${i}`).join('\n');
  assert.equal((await api(s, 'POST', '/api/v1/users/import', { token: tok.admin, body: csv, headers: { 'content-type': 'text/csv' } })).status, 201);
  const likers = [...users.filter((u) => u !== 'agent1').map((u) => tok[u]),
    ...await Promise.all(Array.from({ length: 41 }, (_, i) => login(s, `liker${i}`, `liker-pass-${i}`)))];
  assert.equal(likers.length, 50);
  // each likes twice at once (idempotent), then 10 unlike
  const results = await Promise.all(likers.flatMap((t) => [1, 2].map(() => api(s, 'PUT', `/api/v1/videos/${id}/like`, { token: t }))));
  assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join(','));
  await Promise.all(likers.slice(0, 10).map((t) => api(s, 'DELETE', `/api/v1/videos/${id}/like`, { token: t })));
  const v = await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok.agent1 });
  const item = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: likers[20] })).json.items.find((i) => i.id === id);
  assert.equal(item.counts.likes, 40);
  assert.equal(item.viewer.liked, true);
  assert.equal(v.status, 200);
  // the creator was paid the 10- and 50-like milestones exactly once each (it passed 50 before the unlikes)
  const history = (await api(s, 'GET', '/api/v1/me/points?limit=100', { token: tok.agent1 })).json.items;
  const paid = history.filter((i) => i.kind === 'milestone' && i.video_id === id).map((i) => i.amount).sort((a, b) => a - b);
  assert.deepEqual(paid, [5, 15]);
});

test('nobody is shown their own clips: not in their feed, not as a must-watch', async () => {
  const own = await publish('agent5', 'My own refund call', 'refunds');
  const ids = async (user) => (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok[user] })).json.items.map((i) => i.id);
  assert.ok((await ids('agent6')).includes(own), 'others see it');
  assert.ok(!(await ids('agent5')).includes(own), 'its creator does not');
  const me5 = (await api(s, 'GET', '/api/v1/me', { token: tok.agent5 })).json;
  const a = await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: own, user_ids: [me5.id] } });
  assert.equal(a.status, 201, a.body);
  assert.ok(!(await ids('agent5')).includes(own), 'not even when assigned');
  assert.ok(!(await api(s, 'GET', '/api/v1/me/assignments', { token: tok.agent5 })).json.items.some((x) => x.kind === 'clip' && x.title === 'My own refund call'));
});

test('comments: add, list paged, delete own; trainers remove any; limits', async () => {
  const id = await publish('agent2', 'Discuss me', 'refunds');
  const c1 = await api(s, 'POST', `/api/v1/videos/${id}/comments`, { token: tok.agent1, json: { body: 'Great tip — 谢谢!' } });
  assert.equal(c1.status, 201);
  assert.equal(c1.json.body, 'Great tip — 谢谢!');
  assert.equal(c1.json.author.display_name, 'Wang Fang');
  for (let i = 0; i < 4; i++) await api(s, 'POST', `/api/v1/videos/${id}/comments`, { token: tok.agent3, json: { body: `comment ${i}` } });
  // newest first, a page at a time; the last page says there is no more
  const page1 = await api(s, 'GET', `/api/v1/videos/${id}/comments?limit=3`, { token: tok.agent4 });
  assert.deepEqual(page1.json.items.map((c) => c.body), ['comment 3', 'comment 2', 'comment 1']);
  const page2 = await api(s, 'GET', `/api/v1/videos/${id}/comments?limit=3&after=${page1.json.next_after}`, { token: tok.agent4 });
  assert.deepEqual(page2.json.items.map((c) => c.body), ['comment 0', 'Great tip — 谢谢!']);
  assert.equal(page2.json.next_after, null);
  // oldest first on request
  const oldest = await api(s, 'GET', `/api/v1/videos/${id}/comments?order=oldest&limit=2`, { token: tok.agent4 });
  assert.deepEqual(oldest.json.items.map((c) => c.body), ['Great tip — 谢谢!', 'comment 0']);
  const oldest2 = await api(s, 'GET', `/api/v1/videos/${id}/comments?order=oldest&limit=2&after=${oldest.json.next_after}`, { token: tok.agent4 });
  assert.deepEqual(oldest2.json.items.map((c) => c.body), ['comment 1', 'comment 2']);
  assert.equal(expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${id}/comments?order=sideways`, { token: tok.agent4 }), 422).field, 'order');
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/comments`, { token: tok.agent1, json: { body: 'x'.repeat(501) } }), 422);
  expectProblem(assert, await api(s, 'POST', `/api/v1/videos/${id}/comments`, { token: tok.agent1, json: { body: '' } }), 422);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/comments/${c1.json.id}`, { token: tok.agent3 }), 404);
  assert.equal((await api(s, 'DELETE', `/api/v1/comments/${c1.json.id}`, { token: tok.agent1 })).status, 204);
  assert.equal((await api(s, 'DELETE', `/api/v1/comments/${page2.json.items[0].id}`, { token: tok.trainer1 })).status, 204);
  const left = await api(s, 'GET', `/api/v1/videos/${id}/comments?limit=50`, { token: tok.agent4 });
  assert.equal(left.json.items.length, 3);
  const item = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent5 })).json.items.find((i) => i.id === id);
  assert.equal(item.counts.comments, 3);
});

test('watch events: real progress completes; impossible progress is refused', async () => {
  const id = await publish('agent4', 'Watch me', 'troubleshooting', readFileSync(makeClip('watch.mp4', { seconds: 4, size: '360x640' })));
  const ev = (token, event, position) => api(s, 'POST', `/api/v1/videos/${id}/views`, { token, json: { event, position } });
  expectProblem(assert, await ev(tok.agent1, 'progress', 1), 422); // no start yet
  assert.equal((await ev(tok.agent1, 'start', 0)).status, 200);
  // 3.9 s of video claimed right after the start: refused, nothing credited
  const cheat = expectProblem(assert, await ev(tok.agent1, 'end', 3.9), 422);
  assert.match(cheat.detail, /impossible progress/);
  // seeking is allowed but earns nothing: still not completed
  assert.equal((await ev(tok.agent1, 'seek', 3.8)).json.completed, false);
  assert.equal((await ev(tok.agent1, 'end', 3.9)).json.completed, false);
  // starting again and again gives no fresh allowance: the slack is per viewer, not per start
  assert.equal((await ev(tok.agent3, 'start', 0)).status, 200);
  assert.equal((await ev(tok.agent3, 'progress', 1.9)).status, 200);
  assert.equal((await ev(tok.agent3, 'start', 1.9)).status, 200);
  assert.match(expectProblem(assert, await ev(tok.agent3, 'progress', 3.8), 422).detail, /impossible progress/);
  assert.equal((await ev(tok.agent3, 'seek', 3.9)).json.completed, false);
  // the honest path: heartbeats as the clip plays
  assert.equal((await ev(tok.agent2, 'start', 0)).status, 200);
  await advanceClock(s, 0.7);
  assert.equal((await ev(tok.agent2, 'progress', 1.4)).json.completed, false);
  await advanceClock(s, 0.7);
  const done = await ev(tok.agent2, 'end', 3.9);
  assert.equal(done.status, 200, done.body);
  assert.equal(done.json.completed, true);
  assert.equal(done.json.newly_completed, true);
  const again = await ev(tok.agent2, 'start', 0);
  assert.equal(again.json.completed, true);
  assert.equal(again.json.newly_completed, false);
  expectProblem(assert, await ev(tok.agent2, 'progress', 99), 422);
  expectProblem(assert, await ev(tok.agent2, 'rewind', 0), 422);
  const item = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent2 })).json.items.find((i) => i.id === id);
  assert.equal(item.viewer.watched, true);
  assert.equal(item.counts.views, 3); // people, not starts: agent1 once, agent2 and agent3 twice
  const agent1 = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent1 })).json.items.find((i) => i.id === id);
  assert.equal(agent1.viewer.watched, false);
});

test('tag feed, creator list and search find published clips only', async () => {
  const id = await publish('agent7', 'Chargeback 100% guide_v2', 'billing');
  const pending = await uploadReady('agent7', 'Chargeback draft', 'billing');
  const byTag = await api(s, 'GET', '/api/v1/feed/tags/billing?limit=50', { token: tok.agent1 });
  assert.ok(byTag.json.items.some((i) => i.id === id));
  assert.ok(!byTag.json.items.some((i) => i.id === pending));
  assert.ok(byTag.json.items.every((i) => i.tags.includes('billing')));
  const mine = await api(s, 'GET', `/api/v1/users/${(await api(s, 'GET', '/api/v1/me', { token: tok.agent7 })).json.id}/videos`, { token: tok.agent1 });
  assert.ok(mine.json.items.every((i) => i.creator.display_name === 'Zhao Lei'));
  const found = await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent('100% guide_')}`, { token: tok.agent1 });
  assert.deepEqual(found.json.items.map((i) => i.id), [id]);
  const wildcard = await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent('%')}`, { token: tok.agent1 });
  assert.deepEqual(wildcard.json.items.map((i) => i.id), [], 'a % is no wildcard (and too short to search for)');
  expectProblem(assert, await api(s, 'GET', '/api/v1/search?q=', { token: tok.agent1 }), 422);
});
