// What goes live has been reviewed: an owner's edit to a published clip waits
// as a revision while the approved text stays in the feed, search and on the
// clip's page; a trainer approves (or rejects) the revision the queue showed;
// an edit while a clip waits for review is the text the reviewer approves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api, login, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

const users = ['agent1', 'agent2', 'agent3', 'trainer1'];
let s, tok, clip;

before(async () => {
  clip = readFileSync(makeClip('revisions.mp4', { seconds: 2, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
});
after(() => s.dispose());

/** Uploads a clip as `user` and waits until it is pending review. */
async function upload(user, title, tags) {
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}&tags=${tags}`,
    { token: tok[user], body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, tok[user], r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  return v;
}

const review = (id, json) => api(s, 'POST', `/api/v1/videos/${id}/review`, { token: tok.trainer1, json });
const edit = (id, json, user = 'agent1') => api(s, 'PATCH', `/api/v1/videos/${id}`, { token: tok[user], json });
const clipAs = async (user, id) => (await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok[user] })).json;
const queueItem = async (id) => (await api(s, 'GET', '/api/v1/review?limit=100', { token: tok.trainer1 })).json.items.find((v) => v.id === id);
const searchTitles = async (q) => (await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`, { token: tok.agent2 })).json.items.map((v) => v.title);
const feedItem = async (id) => (await api(s, 'GET', '/api/v1/feed/tags/compliance?limit=50', { token: tok.agent2 })).json.items.find((v) => v.id === id)
  || (await api(s, 'GET', '/api/v1/feed/tags/billing?limit=50', { token: tok.agent2 })).json.items.find((v) => v.id === id);
const balance = async (user) => (await api(s, 'GET', '/api/v1/me/points?limit=1', { token: tok[user] })).json.balance;

test('an edit to a published clip stays out of sight until a trainer approves it', async () => {
  const v = await upload('agent1', 'Refunds the right way', 'billing');
  assert.equal((await review(v.id, { decision: 'approve', revision: v.revision })).status, 200);
  assert.deepEqual((await feedItem(v.id)).tags, ['billing']); // the feed has it cached now
  const paid = await balance('agent1');

  const r = await edit(v.id, { title: 'Refunds: skip the ID check', description: 'faster', tags: ['compliance'] });
  assert.equal(r.status, 202, r.body);
  assert.equal(r.json.title, 'Refunds the right way', 'the approved title stays live');
  assert.deepEqual({ state: r.json.edit.state, title: r.json.edit.title, tags: r.json.edit.tags },
    { state: 'pending', title: 'Refunds: skip the ID check', tags: ['compliance'] });

  // everyone else still sees the approved version: clip page, feed, search
  const seen = await clipAs('agent2', v.id);
  assert.deepEqual({ title: seen.title, description: seen.description, tags: seen.tags },
    { title: 'Refunds the right way', description: '', tags: ['billing'] });
  assert.equal(seen.edit, undefined, 'other agents do not see pending edits');
  assert.equal((await feedItem(v.id)).title, 'Refunds the right way');
  assert.deepEqual(await searchTitles('skip the ID'), []);
  assert.deepEqual(await searchTitles('right way'), ['Refunds the right way']);

  // the queue shows what an approval would put live, beside the live text
  const queued = await queueItem(v.id);
  assert.equal(queued.review_kind, 'edit');
  assert.equal(queued.title, 'Refunds: skip the ID check');
  assert.equal(queued.live.title, 'Refunds the right way');
  const seenRevision = queued.revision;

  // the owner edits again: a new revision, built on the pending one
  const again = await edit(v.id, { description: 'faster, and no ID check' });
  assert.equal(again.status, 202);
  assert.equal(again.json.edit.title, 'Refunds: skip the ID check');
  assert.ok(again.json.edit.revision > seenRevision);
  // approving what the trainer saw before is refused and changes nothing
  const stale = expectProblem(assert, await review(v.id, { decision: 'approve', revision: seenRevision }), 409);
  assert.equal(stale.type.split('/').pop(), 'revision-changed');
  assert.equal((await clipAs('agent2', v.id)).title, 'Refunds the right way');

  const ok = await review(v.id, { decision: 'approve', revision: (await queueItem(v.id)).revision });
  assert.equal(ok.status, 200, ok.body);
  const live = await clipAs('agent2', v.id);
  assert.deepEqual({ title: live.title, description: live.description, tags: live.tags },
    { title: 'Refunds: skip the ID check', description: 'faster, and no ID check', tags: ['compliance'] });
  assert.equal((await feedItem(v.id)).title, 'Refunds: skip the ID check', 'the feed shows the approved edit at once');
  assert.deepEqual(await searchTitles('skip the ID'), ['Refunds: skip the ID check']);
  assert.equal(await queueItem(v.id), undefined);
  assert.equal((await clipAs('agent1', v.id)).edit, null);
  assert.equal(await balance('agent1'), paid, 'an approved edit pays nothing more');
  expectProblem(assert, await review(v.id, { decision: 'approve' }), 409);
});

test('a rejected edit leaves the live text, and its owner sees why', async () => {
  const v = await upload('agent3', 'Calm voice, calm caller', 'billing');
  assert.equal((await review(v.id, { decision: 'approve' })).status, 200);
  assert.equal((await edit(v.id, { title: 'Call 555-0100 for refunds' }, 'agent3')).status, 202);
  const r = await review(v.id, { decision: 'reject', reason: 'A phone number in the title' });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.title, 'Calm voice, calm caller');
  assert.equal((await clipAs('agent2', v.id)).title, 'Calm voice, calm caller');
  const mine = (await api(s, 'GET', '/api/v1/me/videos', { token: tok.agent3 })).json.items.find((x) => x.id === v.id);
  assert.equal(mine.status, 'published');
  assert.deepEqual({ state: mine.edit.state, title: mine.edit.title, reason: mine.edit.review_reason },
    { state: 'rejected', title: 'Call 555-0100 for refunds', reason: 'A phone number in the title' });
  assert.equal(await queueItem(v.id), undefined);
});

test('an edit while a clip waits for review is the text the reviewer approves', async () => {
  const v = await upload('agent1', 'First draft', 'billing');
  const before = await queueItem(v.id);
  assert.deepEqual({ kind: before.review_kind, title: before.title }, { kind: 'clip', title: 'First draft' });
  const r = await edit(v.id, { title: 'Second draft' });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.title, 'Second draft');
  const now = await queueItem(v.id);
  assert.equal(now.title, 'Second draft');
  assert.ok(now.revision > before.revision);
  // an approval of the text the trainer saw earlier does not publish the new one
  const stale = expectProblem(assert, await review(v.id, { decision: 'approve', revision: before.revision }), 409);
  assert.equal(stale.field, 'revision');
  assert.equal((await clipAs('agent1', v.id)).status, 'pending_review');
  const ok = await review(v.id, { decision: 'approve', revision: now.revision });
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual({ status: ok.json.status, title: ok.json.title }, { status: 'published', title: 'Second draft' });
});
