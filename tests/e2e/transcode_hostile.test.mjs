// bin/casereel-transcode against hostile or unusual media: absurd stream
// parameters, mid-stream changes, mirror matrices, timestamp gaps, interlacing.
// Inputs come from ffmpeg lavfi (patched where ffmpeg refuses to write them);
// outputs are judged with ffprobe and by comparing decoded pictures.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN_DIR = process.env.CASEREEL_BIN || path.join(here, '..', '..', 'bin');
const CLI = path.join(BIN_DIR, 'casereel-transcode');
let tmp;

function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffmpeg failed: ${r.stderr}`);
}

const file = (name) => path.join(tmp, name);

// Runs the CLI; it must exit normally (never a signal) and print its JSON.
function transcode(input) {
  const outDir = fs.mkdtempSync(path.join(tmp, 'out-'));
  const r = spawnSync(CLI, [input, outDir], { encoding: 'utf8', timeout: 180000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-2000)}`);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr.slice(-2000)}`);
  let json = null;
  try { json = JSON.parse(r.stdout.trim().split('\n').pop()); } catch { /* asserted below */ }
  assert.ok(json, `no JSON on stdout (status ${r.status}): ${r.stdout} ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, json.ok ? 0 : 1);
  return { json, outDir, mp4: path.join(outDir, '720p.mp4') };
}

function probe(f) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', f], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffprobe ${f}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const vstream = (p) => p.streams.find((s) => s.codec_type === 'video');
const astream = (p) => p.streams.find((s) => s.codec_type === 'audio');

// Seconds of a stream from its packets (fragmented MP4 has no stream duration).
function streamSeconds(f, sel) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', sel, '-show_entries', 'packet=pts_time,duration_time',
    '-of', 'csv=p=0', f], { encoding: 'utf8' });
  const rows = r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split(',').map(Number));
  if (!rows.length) return 0;
  const start = Math.min(...rows.map((x) => x[0]));
  return Math.max(...rows.map((x) => x[0] + (x[1] || 0))) - start;
}

// One decoded picture as 32x32 grey bytes (vf runs before the downscale).
function picture(f, at, vf = 'null', extra = []) {
  const r = spawnSync('ffmpeg', ['-v', 'error', ...extra, '-ss', String(at), '-i', f, '-frames:v', '1',
    '-vf', `${vf},scale=32:32:flags=area,format=gray`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, `ffmpeg frame of ${f}: ${r.stderr}`);
  assert.equal(r.stdout.length, 32 * 32);
  return r.stdout;
}
const meanDiff = (a, b) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'casereel-hostile-')); });
after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

describe('hostile audio parameters', () => {
  // ffmpeg refuses to write such rates: write 1000 Hz and patch Matroska's
  // SamplingFrequency (ID 0xB5, 8-byte float).
  function withRate(name, rate) {
    const src = file('lowsr.mkv');
    if (!fs.existsSync(src))
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=10:d=2', '-f', 'lavfi', '-i', 'sine=d=2:sample_rate=8000',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'pcm_s16le', '-ar', '1000', src]);
    const b = fs.readFileSync(src);
    const at = b.indexOf(Buffer.from([0xb5, 0x88]));
    assert.ok(at > 0);
    b.writeDoubleBE(rate, at + 2);
    fs.writeFileSync(file(name), b);
    return file(name);
  }

  for (const rate of [1, 2, 100, 400, 1000, 2e9]) {
    test(`an audio sample rate of ${rate} Hz is ignored; the video comes out whole`, () => {
      const { json, mp4 } = transcode(withRate(`sr-${rate}.mkv`, rate));
      assert.equal(json.ok, true, json.error);
      assert.equal(json.has_audio, false);
      const p = probe(mp4);
      assert.equal(astream(p), undefined);
      assert.deepEqual([vstream(p).width, vstream(p).height], [160, 120]);
      assert.ok(Math.abs(streamSeconds(mp4, 'v') - 2) < 0.15);
    });
  }

  test('8 kHz speech is measured at 48 kHz and normalised', () => {
    const src = file('sr8k.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=10:d=3', '-f', 'lavfi', '-i', 'sine=f=300:d=3:sample_rate=8000',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'pcm_s16le', src]);
    const { json, mp4 } = transcode(src);
    assert.equal(json.ok, true, json.error);
    assert.equal(json.has_audio, true);
    assert.ok(json.loudness_in > -30 && json.loudness_in < -15, `measured ${json.loudness_in}`);
    assert.equal(astream(probe(mp4)).sample_rate, '48000');
  });
});
