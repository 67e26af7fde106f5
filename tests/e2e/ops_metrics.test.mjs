// What an operator's Prometheus sees at /metrics: the transcode queue and
// its outcomes after a real upload, upload and media bytes, latency by route
// pattern, the process and the build; `promtool check metrics` accepts the
// whole page; --metrics-token gates it. (tests/e2e/metrics.test.mjs is the
// learning loop's service-metrics API, not this.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServer, api, login, expectProblem } from './lib/server.mjs';
import { makeClip } from './lib/media.mjs';
import { waitForVideo } from './lib/poll.mjs';

const TOKEN = 'scrape-secret-ops-1';
let s, agent, clip, video;

/** Scrapes /metrics with the token; returns the text and a lookup of
 *  `name{labels}` → number (labels as the server wrote them). */
async function scrape() {
  const r = await api(s, 'GET', '/metrics', { token: TOKEN });
  assert.equal(r.status, 200, r.body);
  const values = new Map();
  for (const line of r.body.split('\n')) {
    const m = line.match(/^([a-z_:]+(?:\{.*\})?) (\S+)$/);
    if (m) values.set(m[1], Number(m[2]));
  }
  return { text: r.body, get: (key) => values.get(key), values };
}

before(async () => {
  s = await startServer({ args: ['--metrics-token', TOKEN, '--transcode-workers', '1'] });
  agent = await login(s, 'agent1');
  clip = readFileSync(makeClip('ops-metrics.mp4', { seconds: 3, size: '360x640' }));
  const r = await api(s, 'POST', '/api/v1/videos?title=ops', { token: agent, body: clip, headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  video = await waitForVideo(s, agent, r.json.id);
  assert.equal(video.status, 'pending_review', video.error);
});
after(() => s.dispose());

test('--metrics-token gates /metrics: 401 problem without it, 200 with it', async () => {
  for (const token of [undefined, 'scrape-secret-ops-', 'wrong']) {
    const r = await api(s, 'GET', '/metrics', { token });
    expectProblem(assert, r, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  }
  const ok = await api(s, 'GET', '/metrics', { token: TOKEN });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
});

test('after an upload and its transcode: the job is done, the duration histogram counted it, the bytes arrived', async () => {
  const m = await scrape();
  assert.ok(m.get('casereel_transcode_jobs{state="done"}') >= 1, 'a done job');
  assert.equal(m.get('casereel_transcode_jobs{state="queued"}'), 0, 'an empty queue');
  assert.equal(m.get('casereel_transcode_jobs{state="running"}'), 0);
  assert.ok(m.get('casereel_transcode_duration_seconds_count') >= 1);
  assert.ok(m.get('casereel_transcode_duration_seconds_sum') > 0);
  assert.equal(m.get('casereel_transcode_duration_seconds_bucket{le="+Inf"}'), m.get('casereel_transcode_duration_seconds_count'));
  assert.ok(m.get('casereel_upload_received_bytes_total') >= clip.length,
    `upload bytes ${m.get('casereel_upload_received_bytes_total')} < file ${clip.length}`);
  assert.equal(m.get('casereel_uploads_open'), 0, 'the one-shot upload is complete');
  for (const reason of ['time_limit', 'crash', 'stop_ignored'])
    assert.equal(m.get(`casereel_transcode_children_killed_total{reason="${reason}"}`), 0);
  assert.equal(m.get('casereel_transcode_retries_total'), 0);
});

test('a file that is not a video counts as a failure under its error code', async () => {
  const before = (await scrape()).get('casereel_transcode_failures_total{error_code="not-a-video"}') ?? 0;
  const r = await api(s, 'POST', '/api/v1/videos?title=notes', { token: agent, body: 'just some notes\n'.repeat(200), headers: { 'content-type': 'video/mp4' } });
  assert.equal(r.status, 202, r.body);
  const v = await waitForVideo(s, agent, r.json.id);
  assert.equal(v.status, 'failed');
  assert.equal(v.error_code, 'not-a-video');
  const m = await scrape();
  assert.equal(m.get('casereel_transcode_failures_total{error_code="not-a-video"}'), before + 1);
  assert.ok(m.get('casereel_transcode_jobs{state="failed"}') >= 1);
});

test('an open resumable upload shows in uploads_open until it is deleted', async () => {
  const tus = { 'Tus-Resumable': '1.0.0' };
  const made = await api(s, 'POST', '/api/v1/uploads', { token: agent, headers: { ...tus, 'Upload-Length': '1000' } });
  assert.equal(made.status, 201, made.body);
  assert.equal((await scrape()).get('casereel_uploads_open'), 1);
  assert.equal((await api(s, 'DELETE', made.headers.get('location'), { token: agent, headers: tus })).status, 204);
  assert.equal((await scrape()).get('casereel_uploads_open'), 0);
});

test('media bytes served grow by exactly the bytes of a fetched segment', async () => {
  const before = (await scrape()).get('casereel_media_served_bytes_total');
  const res = await fetch(s.url + video.urls.mp4, { headers: { range: 'bytes=0-4095' } });
  assert.equal(res.status, 206);
  assert.equal((await res.arrayBuffer()).byteLength, 4096);
  const after = (await scrape()).get('casereel_media_served_bytes_total');
  assert.equal(after - before, 4096);
  // a refused signature serves nothing
  const parts = video.urls.mp4.split('/'); // /media/v/{id}/{expires}/{sig}/{file}
  parts[5] = parts[5].replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  const forged = parts.join('/');
  assert.equal((await fetch(s.url + forged)).status, 403);
  assert.equal((await scrape()).get('casereel_media_served_bytes_total'), after);
});

test('request latency is labelled by route pattern and method, never the raw path', async () => {
  await api(s, 'GET', `/api/v1/videos/${video.id}`, { token: agent });
  await api(s, 'GET', '/no/such/place/12345');
  const m = await scrape();
  const key = 'casereel_http_route_duration_seconds_count{method="GET",route="/api/v1/videos/{id}"}';
  assert.ok(m.get(key) >= 1, `no ${key}`);
  assert.ok(m.get('casereel_http_route_duration_seconds_count{method="POST",route="/api/v1/videos"}') >= 1);
  assert.ok(m.get('casereel_http_route_duration_seconds_count{method="none",route="none"}') >= 1, 'unmatched requests land in route="none"');
  assert.doesNotMatch(m.text, new RegExp(`route="/api/v1/videos/${video.id}"`));
  assert.doesNotMatch(m.text, /no\/such\/place/);
  assert.match(m.text, /casereel_http_route_duration_seconds_bucket\{method="GET",route="\/api\/v1\/videos\/\{id\}",le="0\.0005"\} \d+/);
  assert.ok(m.get('casereel_http_requests_in_flight') >= 1, 'the scrape itself is in flight');
  assert.equal(m.get('casereel_draining'), 0);
});

test('process, build, disk and SQLite families carry real values', async () => {
  const m = await scrape();
  assert.ok(m.get('process_resident_memory_bytes') > 1 << 20);
  assert.ok(m.get('process_open_fds') >= 3);
  const started = m.get('process_start_time_seconds');
  assert.ok(Math.abs(started - Date.now() / 1000) < 600, `start time ${started}`);
  assert.ok(m.get('casereel_disk_free_bytes{fs="media"}') > 0);
  assert.ok(m.get('casereel_disk_free_bytes{fs="database"}') > 0);
  assert.equal(m.get('casereel_disk_min_free_bytes'), 1 << 30);
  const build = [...m.values.keys()].find((k) => k.startsWith('casereel_build_info{'));
  assert.match(build, /^casereel_build_info\{version="\d+\.\d+\.\d+",ffmpeg="\d[^"]*",sqlite="3\.\d+\.\d+"\}$/);
  assert.equal(m.get(build), 1);
  for (const name of ['casereel_db_busy_total', 'casereel_db_locked_total', 'casereel_db_busy_waits_total'])
    assert.ok(Number.isInteger(m.get(name)), `${name} missing`);
  for (const name of ['casereel_http_requests_total', 'casereel_http_request_duration_seconds', 'casereel_db_errors_total', 'casereel_uptime_seconds'])
    assert.match(m.text, new RegExp(`# TYPE ${name} `), `the existing family ${name} is kept`);
});

test('promtool check metrics accepts the whole page', async () => {
  const { text } = await scrape();
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'promtool is a dependency: make deps installs it (Debian package prometheus)');
  assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'promtool has no lint warnings');
});
