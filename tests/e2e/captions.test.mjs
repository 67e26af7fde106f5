// Captions: a clip's creator (while it waits for review or was rejected) or a
// trainer (always) puts WebVTT or SRT per language; the file is checked and a
// refusal names its line; the normalised WebVTT is served under the clip's
// signed URLs, listed in the clip and feed JSON and given to HLS players as a
// SUBTITLES group, whose cues show in hls.js and Shaka Player; every change
// is in the clip's audit trail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, api, login, expectProblem, problemSlug, repoRoot } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const modules = join(repoRoot, 'tests/node_modules');
const scripts = {
  '/hls.js': join(modules, 'hls.js/dist/hls.min.js'),
  '/shaka.js': join(modules, 'shaka-player/dist/shaka-player.compiled.js'),
};
const noBrowser = !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM} (make deps)`
  : Object.values(scripts).find((f) => !existsSync(f)) ? 'tests/node_modules is incomplete (make deps)' : false;

const users = ['agent1', 'agent2', 'trainer1'];
let s, tok, clip, pending, published;

const GOOD_VTT = `WEBVTT - training clip

NOTE written by hand

intro
00:00.300 --> 00:00:01.200 align:start
<v Agent>Thank you for calling & welcome

00:00:01.200 --> 00:00:03.600
The <b>refund</b> is on its way
`;
const GOOD_SRT = '1\r\n00:00:00,500 --> 00:00:01,500\r\n<i>您好</i>，请问有什么可以帮您？\r\n\r\n2\r\n00:00:01,600 --> 00:00:03,500\r\n退款已经处理\r\n';

const put = (id, lang, body, { user = 'agent1', type = 'text/vtt' } = {}) =>
  api(s, 'PUT', `/api/v1/videos/${id}/captions/${lang}`, { token: tok[user], body, headers: { 'content-type': type } });
const putCues = (id, lang, cues, user = 'agent1') =>
  api(s, 'PUT', `/api/v1/videos/${id}/captions/${lang}`, { token: tok[user], json: { cues } });
const read = (id, lang, user = 'agent1') => api(s, 'GET', `/api/v1/videos/${id}/captions/${lang}`, { token: tok[user] });
const clipAs = async (id, user = 'agent1') => (await api(s, 'GET', `/api/v1/videos/${id}`, { token: tok[user] })).json;
const audit = async (id) => (await api(s, 'GET', `/api/v1/videos/${id}/audit`, { token: tok.trainer1 })).json.items;

async function upload(title) {
  const r = await api(s, 'POST', `/api/v1/videos?title=${encodeURIComponent(title)}`,
    { token: tok.agent1, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, tok.agent1, r.json.id);
  assert.equal(v.status, 'pending_review', v.error);
  return v;
}

before(async () => {
  clip = readFileSync(makeClip('captions.mp4', { seconds: 4, size: '360x640' }));
  s = await startServer({ args: ['--transcode-workers', '2'] });
  tok = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await login(s, u)])));
  [pending, published] = await Promise.all([upload('Captioned pending clip'), upload('Captioned live clip')]);
  assert.ok(pending.duration >= 3.9 && pending.duration < 4.2, `duration ${pending.duration}`);
});
after(() => s?.dispose());

test('the creator puts WebVTT and SRT while the clip waits for review; both are stored as normalised WebVTT', async () => {
  const vtt = await put(pending.id, 'en', GOOD_VTT);
  assert.equal(vtt.status, 200, vtt.body);
  assert.equal(vtt.json.lang, 'en');
  assert.deepEqual(vtt.json.cues, [
    { start: 0.3, end: 1.2, text: '<v Agent>Thank you for calling &amp; welcome' },
    { start: 1.2, end: 3.6, text: 'The <b>refund</b> is on its way' },
  ]);
  assert.equal(vtt.json.updated_by.display_name, 'Wang Fang');

  const srt = await put(pending.id, 'zh', Buffer.from(GOOD_SRT), { type: 'application/x-subrip' });
  assert.equal(srt.status, 200, srt.body);
  assert.deepEqual(srt.json.cues.map((c) => [c.start, c.end, c.text]),
    [[0.5, 1.5, '<i>您好</i>，请问有什么可以帮您？'], [1.6, 3.5, '退款已经处理']]);

  // the clip lists both, and its URL serves the normalised file
  const v = await clipAs(pending.id);
  assert.deepEqual(v.urls.captions.map((c) => c.lang), ['zh', 'en']);
  const en = v.urls.captions.find((c) => c.lang === 'en');
  const served = await fetch(s.url + en.url);
  assert.equal(served.status, 200);
  assert.match(served.headers.get('content-type'), /^text\/vtt/);
  assert.equal(served.headers.get('cache-control'), 'private, no-store', 'not published: nobody keeps it');
  assert.equal(await served.text(), 'WEBVTT\n\n00:00:00.300 --> 00:00:01.200\n<v Agent>Thank you for calling &amp; welcome\n\n'
    + '00:00:01.200 --> 00:00:03.600\nThe <b>refund</b> is on its way\n');
  // a sniffed SRT (text/plain) and the editor's JSON cue list are taken too
  const sniffed = await put(pending.id, 'zh', GOOD_SRT, { type: 'text/plain' });
  assert.equal(sniffed.status, 200, sniffed.body);
  const edited = await putCues(pending.id, 'zh', [{ start: 0.5, end: 1.5, text: '您好' }, { start: 1.6, end: 3.5, text: '退款已经处理' }]);
  assert.equal(edited.status, 200, edited.body);
  assert.equal((await read(pending.id, 'zh')).json.cues[0].text, '您好');
});

test('a refused file names its line and what is wrong, and changes nothing', async () => {
  const before = (await read(pending.id, 'en')).json.cues;
  const cues2001 = Array.from({ length: 2001 }, (_, i) => {
    const t = (ms) => `00:00:0${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
    return `${t(i)} --> ${t(i + 1)}\nc`;
  }).join('\n\n');
  const cases = [
    ['WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na\n\n00:00:01.500 --> 00:00:03.000\nb\n',
      /^line 6: cue starts at 00:00:01.500, overlapping the cue above it, which ends at 00:00:02.000$/],
    ['WEBVTT\n\n00:00:02.000 --> 00:00:03.000\na\n\n00:00:01.000 --> 00:00:01.500\nb\n', /^line 6: cue starts at 00:00:01.000, before the cue above it/],
    ['WEBVTT\n\n00:00:05.000 --> 00:00:04.000\na\n', /^line 3: cue ends at 00:00:04.000, not after it starts \(00:00:05.000\)$/],
    ['WEBVTT\n\n00:00:03.000 --> 00:00:09.000\na\n', /^line 3: cue ends at 00:00:09.000, after the clip's end at 00:00:0[34]\.\d{3}$/],
    [Buffer.concat([Buffer.from('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]), /^line 5: not UTF-8 text$/],
    ['WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<script>alert(1)</script>\n', /^line 4: markup not allowed in captions .*<script>$/],
    ['1\n00:00:01,000 --> 00:00:02,000\n<font color="red">red</font>\n', /^line 3: markup not allowed in captions .*<font color="red">$/],
    [`WEBVTT\n\n${'00:00:01.000 --> 00:00:02.000\n' + 'x'.repeat(300 * 1024)}\n`, /^line 1: the file is \d+ bytes; captions may be at most 262144$/],
    [`WEBVTT\n\n${cues2001}\n`, /^line \d+: more than 2000 cues$/],
    ['PK\x03\x04 this is a zip file', /^line 1: not captions/],
    ['WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n', /^line 3: cue has no text$/],
  ];
  for (const [body, detail] of cases) {
    const r = await put(pending.id, 'en', body);
    const p = expectProblem(assert, r, 422);
    assert.equal(problemSlug(p), 'invalid-captions');
    assert.equal(p.field, 'captions');
    assert.match(p.detail, detail);
  }
  const json = await putCues(pending.id, 'en', [{ start: 1, end: 2, text: 'a' }, { start: 1.5, end: 2.5, text: 'b' }]);
  assert.match(expectProblem(assert, json, 422).detail, /^cue 2: cue starts at 00:00:01.500, overlapping/);
  expectProblem(assert, await put(pending.id, 'en', 'WEBVTT\n', { type: 'image/png' }), 415);
  expectProblem(assert, await put(pending.id, 'fr', GOOD_VTT), 404);
  assert.deepEqual((await read(pending.id, 'en')).json.cues, before, 'nothing changed');
});

test('who may caption: the creator before publishing, trainers always, nobody else', async () => {
  // someone else's unpublished clip does not exist for an agent
  for (const r of [await read(pending.id, 'en', 'agent2'), await put(pending.id, 'en', GOOD_VTT, { user: 'agent2' }),
    await api(s, 'DELETE', `/api/v1/videos/${pending.id}/captions/en`, { token: tok.agent2 })])
    expectProblem(assert, r, 404);
  assert.equal((await put(published.id, 'en', GOOD_VTT)).status, 200, 'still pending: the creator may');
  const ok = await api(s, 'POST', `/api/v1/videos/${published.id}/review`, { token: tok.trainer1, json: { decision: 'approve' } });
  assert.equal(ok.status, 200, ok.body);

  const locked = expectProblem(assert, await put(published.id, 'en', GOOD_VTT), 403);
  assert.equal(problemSlug(locked), 'captions-locked');
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/videos/${published.id}/captions/en`, { token: tok.agent1 }), 403);
  assert.equal(problemSlug(expectProblem(assert, await put(published.id, 'en', GOOD_VTT, { user: 'agent2' }), 403)), 'forbidden');
  // everyone reads a published clip's captions
  assert.equal((await read(published.id, 'en', 'agent2')).status, 200);
  // a trainer may change them in any state
  const byTrainer = await put(published.id, 'zh', GOOD_SRT, { user: 'trainer1', type: 'application/x-subrip' });
  assert.equal(byTrainer.status, 200, byTrainer.body);
  expectProblem(assert, await api(s, 'GET', `/api/v1/videos/${published.id}/audit`, { token: tok.agent1 }), 403);
});

test('a creator who captions a rejected clip sends it back to review', async () => {
  const v = await upload('Rejected for want of captions');
  const rej = await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: tok.trainer1, json: { decision: 'reject', reason: 'Please add captions' } });
  assert.equal(rej.json.status, 'rejected');
  assert.equal((await put(v.id, 'en', GOOD_VTT)).status, 200);
  assert.equal((await clipAs(v.id)).status, 'pending_review');
  const queue = (await api(s, 'GET', '/api/v1/review?limit=100', { token: tok.trainer1 })).json.items;
  assert.ok(queue.some((x) => x.id === v.id), 'back in the queue');
});

test('replacing and removing captions is audited: who, when, which language, how many cues', async () => {
  const v = await upload('Audited clip');
  assert.equal((await put(v.id, 'en', GOOD_VTT)).status, 200);
  assert.equal((await putCues(v.id, 'en', [{ start: 0, end: 1, text: 'only one' }])).status, 200);
  const del = await api(s, 'DELETE', `/api/v1/videos/${v.id}/captions/en`, { token: tok.trainer1 });
  assert.equal(del.status, 204);
  expectProblem(assert, await api(s, 'DELETE', `/api/v1/videos/${v.id}/captions/en`, { token: tok.trainer1 }), 404);
  expectProblem(assert, await read(v.id, 'en'), 404);
  const items = await audit(v.id);
  assert.deepEqual(items.map((e) => [e.action, e.actor.display_name, e.detail]), [
    ['captions.put', 'Wang Fang', { lang: 'en', cues: 2, replaced: null, source: 'file' }],
    ['captions.put', 'Wang Fang', { lang: 'en', cues: 1, replaced: 2, source: 'editor' }],
    ['captions.delete', 'Lin Trainer', { lang: 'en', cues: 1 }],
  ]);
  for (const e of items) assert.ok(Math.abs(e.at - Date.now() / 1000) < 600, `at ${e.at}`);
  expectProblem(assert, await api(s, 'GET', '/api/v1/videos/999999/audit', { token: tok.trainer1 }), 404);
  assert.deepEqual((await clipAs(v.id)).urls.captions, []);
});

test('caption URLs are signed, name their revision, and the HLS master carries a SUBTITLES group', async () => {
  const v = await clipAs(published.id, 'agent2');
  assert.deepEqual(v.urls.captions.map((c) => c.lang), ['zh', 'en']);
  const m = /^(\/media\/v\/\d+\/\d+\/\d+\/[^/]+\/)c(\d+)en\.vtt$/.exec(v.urls.captions[1].url);
  assert.ok(m, v.urls.captions[1].url);
  const [prefix, rev] = [m[1], Number(m[2])];
  assert.equal(v.urls.hls, `${prefix}c${rev}.m3u8`);

  const master = await fetch(s.url + v.urls.hls);
  assert.equal(master.status, 200);
  assert.match(master.headers.get('cache-control'), /^public, max-age=\d+, immutable$/);
  const text = await master.text();
  assert.match(text, new RegExp(`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="中文",LANGUAGE="zh",DEFAULT=YES,AUTOSELECT=YES,URI="c${rev}zh.m3u8"`));
  assert.match(text, new RegExp(`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="c${rev}en.m3u8"`));
  const variants = text.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
  assert.ok(variants.length >= 1);
  for (const l of variants) assert.match(l, /,SUBTITLES="subs"$/);
  assert.ok(text.indexOf('#EXT-X-MEDIA') < text.indexOf('#EXT-X-STREAM-INF'));
  const plain = await (await fetch(s.url + prefix + 'master.m3u8')).text();
  assert.ok(!plain.includes('SUBTITLES'), 'the file on disk is untouched');

  const playlist = await (await fetch(`${s.url}${prefix}c${rev}zh.m3u8`)).text();
  assert.match(playlist, /#EXT-X-TARGETDURATION:4\n/);
  assert.match(playlist, new RegExp(`#EXTINF:[34]\\.\\d{3},\\nc${rev}zh\\.vtt\\n#EXT-X-ENDLIST`));
  const zh = await (await fetch(`${s.url}${prefix}c${rev}zh.vtt`)).text();
  assert.match(zh, /退款已经处理/);

  // tampered: another signature is refused; another revision or language is not there
  expectProblem(assert, await api(s, 'GET', `${prefix.replace(/\/[^/]+\/$/, '/AAAAAAAAAAAAAAAAAAAAAA/')}c${rev}en.vtt`), 403);
  expectProblem(assert, await api(s, 'GET', `${prefix}c${rev + 1}en.vtt`), 404);
  expectProblem(assert, await api(s, 'GET', `${prefix}c${rev - 1}en.vtt`), 404);
  expectProblem(assert, await api(s, 'GET', `${prefix}c0${rev}en.vtt`), 404);

  // a change is a new revision: new URLs, the old ones gone
  assert.equal((await put(published.id, 'en', GOOD_VTT.replace('welcome', 'hello'), { user: 'trainer1' })).status, 200);
  const after = await clipAs(published.id, 'agent2');
  assert.equal(after.urls.hls, `${prefix}c${rev + 1}.m3u8`);
  expectProblem(assert, await api(s, 'GET', v.urls.captions[1].url), 404);
  assert.match(await (await fetch(s.url + after.urls.captions[1].url)).text(), /hello/);
  // and the feed lists them as the clip does
  const feed = (await api(s, 'GET', '/api/v1/feed?limit=50', { token: tok.agent2 })).json.items;
  assert.deepEqual(feed.find((i) => i.id === published.id).urls.captions, after.urls.captions);
});

test('in chromium, hls.js and Shaka Player play the master with subtitles and show the cue of the moment', { skip: noBrowser }, async () => {
  const html = `<!doctype html><meta charset="utf-8">${Object.keys(scripts).map((p) => `<script src="${p}"></script>`).join('')}<body></body>`;
  const page0 = http.createServer((req, res) => {
    const file = scripts[req.url];
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (file) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
    else res.writeHead(404).end();
  });
  await new Promise((r) => page0.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    // a published clip with one English cue across its middle
    const v = await upload('Played with subtitles');
    assert.equal((await put(v.id, 'en', 'WEBVTT\n\n00:00:00.200 --> 00:00:03.800\nRefund approved today\n')).status, 200);
    assert.equal((await api(s, 'POST', `/api/v1/videos/${v.id}/review`, { token: tok.trainer1, json: { decision: 'approve' } })).status, 200);
    const master = s.url + (await clipAs(v.id, 'agent2')).urls.hls;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${page0.address().port}/`);
    const cuesAt = (engine) => page.evaluate(async ({ url, engine }) => {
      const v = document.createElement('video');
      v.muted = true;
      document.body.append(v);
      const errors = [];
      let player;
      if (engine === 'hls') {
        player = new Hls({ subtitleDisplay: true });
        player.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) errors.push(d.details); });
        player.loadSource(url);
        player.attachMedia(v);
      } else {
        shaka.polyfill.installAll();
        player = new shaka.Player();
        player.configure({ abr: { enabled: false } });
        player.addEventListener('error', (e) => errors.push(`${e.detail?.code} ${JSON.stringify(e.detail?.data)}`));
        await player.attach(v);
        await player.load(url).catch((e) => errors.push(`load ${e.code}`));
        const en = player.getTextTracks().find((t) => t.language === 'en');
        if (en) player.selectTextTrack(en);
        else errors.push('no English text track');
      }
      v.play().catch(() => {});
      const end = Date.now() + 20000;
      const active = () => [...v.textTracks].flatMap((t) => [...(t.activeCues || [])].map((c) => c.text));
      // the cue runs from 0.2 s: judged inside the first 2 s fragment (see the retry below)
      while ((v.currentTime < 0.6 || !active().length) && Date.now() < end && !errors.length)
        await new Promise((r) => setTimeout(r, 100));
      const seen = { time: v.currentTime, cues: active(), tracks: [...v.textTracks].map((t) => `${t.language}:${t.mode}`), errors };
      await player.destroy();
      v.remove();
      return seen;
    }, { url: master, engine });
    for (const engine of ['hls', 'shaka']) {
      let seen = await cuesAt(engine);
      // Shaka in headless chromium sometimes fails to append a video segment of
      // ours (3016 CHUNK_DEMUXER_ERROR_APPEND_FAILED), with or without subtitles,
      // seen on a loaded machine past the first fragment: not understood yet (in
      // the session note); try that case again
      for (let i = 0; i < 2 && /^3016 .*APPEND_FAILED/.test(seen.errors[0] ?? ''); i++) seen = await cuesAt(engine);
      assert.deepEqual(seen.errors, [], engine);
      assert.ok(seen.time >= 0.2 && seen.time < 3.8, `${engine} at ${seen.time}`);
      assert.deepEqual(seen.cues, ['Refund approved today'], `${engine}: ${JSON.stringify(seen)}`);
    }
  } finally {
    await browser.close();
    page0.close();
  }
});
