// Search: SQLite FTS5 over published clips' title, tags, description and
// captions, in English (words, stemmed, and substrings of 3 characters or
// more) and Chinese (substrings, and 2-character terms through bigrams);
// best first, title above captions; a hit found in captions alone carries
// the start of its cue. Agents never find unpublished clips, nor their
// captions, and the index follows edits and caption changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, api, login, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

const users = ['agent1', 'agent2', 'trainer1'];
let s, tok, clip;
const ids = {};

/** Uploads a clip as agent1 with its text and captions, and publishes it
 *  unless `publish` is false. */
async function fixture(name, { title, description = '', tags = '', captions = {}, publish = true }) {
  const q = new URLSearchParams({ title, description, ...(tags ? { tags } : {}) });
  const r = await api(s, 'POST', `/api/v1/videos?${q}`, { token: tok.agent1, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, tok.agent1, r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  for (const [lang, vtt] of Object.entries(captions)) {
    const c = await api(s, 'PUT', `/api/v1/videos/${v.id}/captions/${lang}`, { token: tok.agent1, body: vtt, headers: { 'content-type': 'text/vtt' } });
    assert.equal(c.status, 200, c.body);
  }
  if (publish)
    assert.equal((await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: tok.trainer1, json: { decision: 'approve' } })).status, 200);
  ids[name] = v.id;
}

const search = async (q, { user = 'agent2', extra = '' } = {}) => {
  const r = await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { token: tok[user] });
  assert.equal(r.status, 200, r.body);
  return r.json;
};
/** [[fixture name, cue_start or undefined], ...] of a search, best first. */
const hits = async (q, opts) => (await search(q, opts)).items.map((i) => [Object.keys(ids).find((k) => ids[k] === i.id) ?? i.id, i.cue_start]);

before(async () => {
  clip = readFileSync(makeClip('search.mp4', { seconds: 5, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
  await Promise.all([
    fixture('refunds', {
      title: 'Handling refund complaints', description: 'How to calm an angry caller', tags: 'refunds',
      captions: { en: 'WEBVTT\n\n00:00:00.500 --> 00:00:01.800\nListen first\n\n00:00:02.000 --> 00:00:03.000\n'
        + 'Escalate to a <b>supervisor</b> only when needed\n\n00:00:03.200 --> 00:00:04.500\nBilling questions go to the billing team\n' },
    }),
    fixture('billing', { title: 'Billing basics', description: 'Invoices and due dates', tags: 'billing' }),
    fixture('zh', {
      title: '客户投诉处理技巧', description: '如何安抚生气的客户', tags: 'empathy',
      captions: { zh: 'WEBVTT\n\n00:00:00.000 --> 00:00:00.900\n您好\n\n00:00:01.000 --> 00:00:02.500\n退款申请需要三个工作日\n' },
    }),
    fixture('draft', {
      title: 'Draft clip', publish: false,
      captions: { en: 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nconfidentialword\n', zh: 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n保密词汇\n' },
    }),
  ]);
});
after(() => s?.dispose());

test('English: words in the title, stemmed, rank above the same word in captions', async () => {
  assert.deepEqual(await hits('refunds'), [['refunds', undefined]]);
  assert.deepEqual(await hits('REFUND complaint'), [['refunds', undefined]], 'every word, any case, stemmed');
  // billing: the title of one clip, the captions of another
  assert.deepEqual(await hits('billing'), [['billing', undefined], ['refunds', 3.2]]);
  assert.deepEqual(await hits('invoices'), [['billing', undefined]], 'the description');
  assert.deepEqual(await hits('nothing-like-this'), []);
});

test('a term only in a caption gives the start of its cue, so a player can start there', async () => {
  assert.deepEqual(await hits('supervisor'), [['refunds', 2]]);
  assert.deepEqual(await hits('scalat'), [['refunds', 2]], 'a substring of 3 characters or more (trigram)');
  assert.deepEqual(await hits('工作日'), [['zh', 1]]);
  const item = (await search('supervisor')).items[0];
  assert.equal(item.title, 'Handling refund complaints');
  assert.ok(item.urls.hls && item.urls.captions.length === 1, 'an ordinary clip item');
});

test('Chinese: substrings of 3 characters and terms of 2 characters (bigrams) match', async () => {
  assert.deepEqual(await hits('投诉'), [['zh', undefined]], '2 characters, in the title');
  assert.deepEqual(await hits('申请'), [['zh', 1]], '2 characters, only in a caption');
  assert.deepEqual(await hits('退款'), [['refunds', undefined], ['zh', 1]], 'the refunds tag\'s Chinese label above a caption');
  assert.deepEqual(await hits('安抚生'), [['zh', undefined]], 'a substring of the description');
  assert.deepEqual(await hits('投诉 技巧'), [['zh', undefined]], 'two terms, both required');
  assert.deepEqual(await hits('投诉 supervisor'), []);
});

test('agents never find unpublished clips or their captions; the index follows publishing and caption changes', async () => {
  for (const user of ['agent2', 'agent1', 'trainer1']) {
    assert.deepEqual(await hits('confidentialword', { user }), [], user);
    assert.deepEqual(await hits('保密', { user }), [], user);
    assert.deepEqual(await hits('Draft clip', { user }), [], user);
  }
  assert.equal((await api(s, 'POST', `/api/v1/videos/${ids.draft}/review`, { token: tok.trainer1, json: { decision: 'approve' } })).status, 200);
  assert.deepEqual(await hits('confidentialword'), [['draft', 1]]);
  assert.deepEqual(await hits('保密'), [['draft', 1]]);
  // a trainer replaces the captions: the old words are gone, the new ones found
  const put = await api(s, 'PUT', `/api/v1/videos/${ids.draft}/captions/en`,
    { token: tok.trainer1, body: 'WEBVTT\n\n00:00:03.000 --> 00:00:04.000\nreplacement phrase\n', headers: { 'content-type': 'text/vtt' } });
  assert.equal(put.status, 200, put.body);
  assert.deepEqual(await hits('confidentialword'), []);
  assert.deepEqual(await hits('replacement'), [['draft', 3]]);
  // removed: gone from search
  assert.equal((await api(s, 'DELETE', `/api/v1/videos/${ids.draft}`, { token: tok.agent1 })).status, 204);
  assert.deepEqual(await hits('replacement'), []);
});

test('an edit is searchable once it is live', async () => {
  await fixture('edited', { title: 'Onboarding overview', publish: false });
  const edit = await api(s, 'PATCH', `/api/v1/videos/${ids.edited}`, { token: tok.agent1, json: { title: 'Onboarding walkthrough' } });
  assert.equal(edit.status, 200, edit.body);
  assert.equal((await api(s, 'POST', `/api/v1/videos/${ids.edited}/review`, { token: tok.trainer1, json: { decision: 'approve' } })).status, 200);
  assert.deepEqual(await hits('walkthrough'), [['edited', undefined]]);
  assert.deepEqual(await hits('overview'), []);
  // a published clip's edit waits for review: search keeps the live text until then
  const wait = await api(s, 'PATCH', `/api/v1/videos/${ids.edited}`, { token: tok.agent1, json: { title: 'Onboarding tour' } });
  assert.equal(wait.status, 202, wait.body);
  assert.deepEqual(await hits('tour'), []);
  assert.deepEqual(await hits('walkthrough'), [['edited', undefined]]);
  assert.equal((await api(s, 'POST', `/api/v1/videos/${ids.edited}/review`, { token: tok.trainer1, json: { decision: 'approve' } })).status, 200);
  assert.deepEqual(await hits('tour'), [['edited', undefined]]);
});

test('pages by offset; bad queries are 422 problems', async () => {
  const first = await search('billing', { extra: '&limit=1' });
  assert.equal(first.items.length, 1);
  assert.equal(first.next_offset, 1);
  const second = await search('billing', { extra: '&limit=1&offset=1' });
  assert.equal(second.items[0].id, ids.refunds);
  assert.equal(second.next_offset, null);
  const bad = async (q, extra = '') => {
    const p = expectProblem(assert, await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { token: tok.agent2 }), 422);
    assert.equal(p.field, q === 'x' ? 'offset' : 'q');
  };
  await bad('');
  await bad('   ');
  await bad('a'.repeat(101));
  await bad('one two three four five six seven eight nine');
  await bad('x', '&offset=1001');
  expectProblem(assert, await api(s, 'GET', '/api/v1/search', { token: tok.agent2 }), 422);
  expectProblem(assert, await api(s, 'GET', '/api/v1/search?q=billing'), 401);
  // FTS5 syntax in a query is taken as text, never as operators
  for (const q of ['"', 'billing OR refunds', 'NEAR(a b)', 'title:billing', '*', 'bill*'])
    assert.equal((await api(s, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`, { token: tok.agent2 })).status, 200, q);
  assert.deepEqual(await hits('billing OR refunds'), [], 'OR is a word, and no clip has it with the others');
});
