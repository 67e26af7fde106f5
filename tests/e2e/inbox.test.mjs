// The inbox: an agent hears what happened to their clips and learning —
// approval, rejection with the trainer's reason, an edit decided, featuring,
// tips, must-watch clips assigned to them or their team — newest first,
// with an unread count for the badge, and nobody reads another's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { startServer, api, login, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

let s, tok, clip;
const users = ['agent1', 'agent2', 'agent3', 'agent7', 'trainer1', 'admin'];

before(async () => {
  clip = readFileSync(makeClip('inbox.mp4', { seconds: 2, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
});
after(() => s.dispose());

async function pending(user, title) {
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}`,
    { token: tok[user], body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, tok[user], r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  return v.id;
}
const review = (id, json) => api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.trainer1, json });
const inbox = async (user, q = '') => (await api(s, 'GET', `/api/v1/me/inbox${q}`, { token: tok[user] })).json;

test('a rejection reaches its creator with the reason, an approval too; nobody else hears of them', async () => {
  const start = await inbox('agent1');
  const rejected = await pending('agent1', 'Refund call with the card number');
  const approved = await pending('agent1', 'Refund call, redacted');
  assert.equal((await review(rejected, { decision: 'reject', reason: 'The card number is readable at 0:12' })).status, 200);
  assert.equal((await review(approved, { decision: 'approve' })).status, 200);
  const now = await inbox('agent1');
  assert.equal(now.unread, start.unread + 2);
  const [a, r] = now.items;
  assert.deepEqual([a.kind, a.video.id, a.video.title, a.video.status, a.read], ['approved', approved, 'Refund call, redacted', 'published', false]);
  assert.deepEqual([r.kind, r.video.id, r.detail.reason, r.actor.display_name], ['rejected', rejected, 'The card number is readable at 0:12', 'Lin Trainer']);
  assert.ok(!(await inbox('agent2')).items.some((e) => e.video?.id === rejected), 'only the creator hears of it');
  // an edit of the live clip, rejected, then a second one approved
  assert.equal((await api(s, 'PATCH', `/api/v1/videos/${approved}`, { token: tok.agent1, json: { title: 'Refund call (card shown)' } })).status, 202);
  assert.equal((await review(approved, { decision: 'reject', reason: 'Keep the old title' })).status, 200);
  assert.equal((await api(s, 'PATCH', `/api/v1/videos/${approved}`, { token: tok.agent1, json: { title: 'Refunds: the calm way' } })).status, 202);
  assert.equal((await review(approved, { decision: 'approve' })).status, 200);
  const edits = (await inbox('agent1', '?limit=2')).items;
  assert.deepEqual(edits.map((e) => [e.kind, e.detail.reason ?? null]), [['edit_approved', null], ['edit_rejected', 'Keep the old title']]);
  assert.equal(edits[0].video.title, 'Refunds: the calm way', 'the clip as it is now');
});

test('featuring, tips and must-watch assignments (to a person or their team) are told', async () => {
  const id = await pending('agent2', 'Calming a caller');
  assert.equal((await review(id, { decision: 'approve' })).status, 200);
  const before = (await inbox('agent2')).unread;
  const me2 = (await api(s, 'GET', '/api/v1/me', { token: tok.agent2 })).json;
  assert.equal((await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { video_id: id, note: 'Clip of the week', days: 7 } })).status, 201);
  assert.equal((await api(s, 'POST', '/api/v1/featured', { token: tok.trainer1, json: { user_id: me2.id, note: 'Calm voice', days: 3 } })).status, 201);
  const tip = await api(s, 'POST', `/api/v1/videos/${id}/tips`, { token: tok.agent3, json: { gift: 'flower', count: 2 }, headers: { 'Idempotency-Key': randomUUID() } });
  assert.equal(tip.status, 201, tip.body);
  const got = await inbox('agent2');
  assert.equal(got.unread, before + 3);
  const [t, creator, clipFeat] = got.items;
  assert.deepEqual([t.kind, t.actor.display_name, t.detail.gift, t.detail.count, t.detail.points], ['tip', 'Zhang Wei', 'flower', 2, tip.json.amount]);
  assert.deepEqual([creator.kind, creator.video, creator.detail.note], ['creator_featured', null, 'Calm voice']);
  assert.deepEqual([clipFeat.kind, clipFeat.video.id, clipFeat.detail.note], ['featured', id, 'Clip of the week']);
  assert.ok(clipFeat.detail.until > clipFeat.created_at + 6 * 86400);

  // a must-watch for agent3's whole team: every member hears of it, with the due date
  const me3 = (await api(s, 'GET', '/api/v1/me', { token: tok.agent3 })).json;
  const team = (await api(s, 'GET', `/api/v1/users/${me3.id}`, { token: tok.admin })).json.team.id;
  const members = (await api(s, 'GET', `/api/v1/users?limit=200`, { token: tok.admin })).json.items.filter((u) => u.team?.id === team && u.active);
  assert.ok(members.length >= 2, 'a team of several');
  const a = await api(s, 'POST', '/api/v1/assignments', { token: tok.trainer1, json: { video_id: id, team_ids: [team], due_date: '2031-05-01', note: 'before the audit' } });
  assert.equal(a.status, 201, a.body);
  const told = (await inbox('agent3')).items[0];
  assert.deepEqual([told.kind, told.video.id, told.detail.path_kind, told.detail.note, told.actor.display_name], ['assigned', id, 'clip', 'before the audit', 'Lin Trainer']);
  assert.ok(told.detail.due_at > Date.parse('2031-05-01T00:00:00Z') / 1000 - 86400);
  for (const m of members) {
    const token = await login(s, m.username);
    const entries = (await api(s, 'GET', '/api/v1/me/inbox', { token })).json.items;
    const told = entries.some((e) => e.kind === 'assigned' && e.video?.id === id);
    // but its creator, who never has to watch their own clip
    assert.equal(told, m.username !== 'agent2', `${m.username} was ${told ? '' : 'not '}told`);
    const mine = (await api(s, 'GET', '/api/v1/me/assignments', { token })).json.items;
    assert.equal(mine.some((x) => x.kind === 'clip' && x.title === 'Calming a caller'), m.username !== 'agent2');
  }
  assert.ok(!(await inbox('agent7')).items.some((e) => e.kind === 'assigned'), 'another team was not');
});

test('reading: pages newest first, marking read up to an entry, bad input changes nothing', async () => {
  const all = await inbox('agent1', '?limit=100');
  assert.ok(all.items.length >= 4);
  const page1 = await inbox('agent1', '?limit=2');
  const page2 = await inbox('agent1', `?limit=2&before=${page1.next_before}`);
  assert.deepEqual([...page1.items, ...page2.items].map((e) => e.id), all.items.slice(0, 4).map((e) => e.id));
  assert.ok(all.items.every((e, i) => i === 0 || e.id < all.items[i - 1].id), 'newest first');
  for (const body of [{ up_to: 0 }, { up_to: 'all' }, { up_to: -3 }])
    assert.equal(expectProblem(assert, await api(s, 'POST', '/api/v1/me/inbox/read', { token: tok.agent1, json: body }), 422).field, 'up_to');
  expectProblem(assert, await api(s, 'GET', '/api/v1/me/inbox?limit=0', { token: tok.agent1 }), 422);
  expectProblem(assert, await api(s, 'GET', '/api/v1/me/inbox'), 401);
  assert.equal((await inbox('agent1')).unread, all.unread, 'refusals mark nothing read');
  // up to the second newest: the newest stays unread
  const r = await api(s, 'POST', '/api/v1/me/inbox/read', { token: tok.agent1, json: { up_to: all.items[1].id } });
  assert.deepEqual([r.status, r.json.unread], [200, 1]);
  const after = await inbox('agent1', '?limit=3');
  assert.deepEqual(after.items.map((e) => e.read), [false, true, true]);
  // another person's marking touches only theirs
  const other = (await inbox('agent2')).unread;
  assert.equal((await api(s, 'POST', '/api/v1/me/inbox/read', { token: tok.agent1, json: {} })).json.unread, 0);
  assert.equal((await inbox('agent2')).unread, other);
});
