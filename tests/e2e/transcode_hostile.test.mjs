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
import { ffmpeg } from './lib/ffmpeg.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN_DIR = process.env.CASEREEL_BIN || path.join(here, '..', '..', 'bin');
const CLI = path.join(BIN_DIR, 'casereel-transcode');
let tmp;

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

// One decoded picture as 32x32 RGB bytes (vf runs before the downscale). RGB,
// not luma: the output's BT.709 luma differs from an SD source's BT.601 one.
function picture(f, at, vf = 'null', extra = []) {
  const r = spawnSync('ffmpeg', ['-v', 'error', ...extra, '-ss', String(at), '-i', f, '-frames:v', '1',
    '-vf', `${vf},scale=32:32:flags=area,format=rgb24`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, `ffmpeg frame of ${f}: ${r.stderr}`);
  assert.equal(r.stdout.length, 32 * 32 * 3);
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

// A 2 s H.264 MP4 from lavfi (no audio unless asked).
function makeClip(name, { size = '320x240', rate = 30, secs = 2, args = [] } = {}) {
  const out = file(name);
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${rate}:d=${secs}`, '-c:v', 'libx264', '-preset', 'ultrafast',
    '-pix_fmt', 'yuv420p', ...args, out]);
  return out;
}

// Writes the 2x2 part [a b; c d] and offset of the first track's tkhd matrix
// (16.16 fixed point; x' = a*x + c*y + tx, y' = b*x + d*y + ty).
function setMatrix(f, [a, b, c, d], offset = (w, h) => [0, 0]) {
  const buf = fs.readFileSync(f);
  const at = buf.indexOf(Buffer.from('tkhd'));
  assert.ok(at > 0);
  const m = at - 4 + (buf[at + 4] === 1 ? 60 : 48);
  const w = buf.readUInt32BE(m + 36) >>> 16, h = buf.readUInt32BE(m + 40) >>> 16;
  const [tx, ty] = offset(w, h);
  const vals = [a * 65536, b * 65536, 0, c * 65536, d * 65536, 0, tx * 65536, ty * 65536, 0x40000000];
  vals.forEach((v, i) => buf.writeInt32BE(v | 0, m + i * 4));
  fs.writeFileSync(f, buf);
}

// The source's own pixels (no autorotate) turned by vf, against the output.
function assertPicture(src, out, at, vf, wrongVf) {
  const want = picture(src, at, vf, ['-noautorotate']);
  const got = picture(out, at);
  const d = meanDiff(want, got);
  assert.ok(d < 8, `output at ${at}s differs from ${vf}(source) by ${d.toFixed(1)}`);
  if (wrongVf) {
    const w = meanDiff(picture(src, at, wrongVf, ['-noautorotate']), got);
    assert.ok(w > d + 8, `${vf} (${d.toFixed(1)}) is not told apart from ${wrongVf} (${w.toFixed(1)})`);
  }
}

describe('picture changes size mid-stream', () => {
  // Two H.264 runs of different sizes joined in MPEG-TS, remuxed into MP4.
  function joined(name, a, b, secs) {
    const parts = [a, b].map((size, i) => {
      const ts = file(`${name}-${i}.ts`);
      ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=30:d=${secs}`, '-c:v', 'libx264', '-preset', 'ultrafast',
        '-pix_fmt', 'yuv420p', ts]);
      return fs.readFileSync(ts);
    });
    fs.writeFileSync(file(`${name}.ts`), Buffer.concat(parts));
    ffmpeg(['-i', file(`${name}.ts`), '-c', 'copy', file(`${name}.mp4`)]);
    return file(`${name}.mp4`);
  }

  test('rotated 320x240 then 160x120: every frame is the upright source, none read out of bounds', () => {
    const src = joined('resch', '320x240', '160x120', 1);
    setMatrix(src, [0, 1, -1, 0], (w, h) => [h, 0]);
    const { json, mp4 } = transcode(src);
    assert.equal(json.ok, true, json.error);
    assert.deepEqual([json.width, json.height], [240, 320]);
    assert.ok(Math.abs(streamSeconds(mp4, 'v') - 2) < 0.15);
    assertPicture(src, mp4, 0.5, 'transpose=clock');
    assertPicture(src, mp4, 1.5, 'transpose=clock');
  });

  test('1280x720 then 64x64 on the encode path: the small part is letterboxed, not refused', () => {
    const src = joined('big2small', '1280x720', '64x64', 1);
    const { json, mp4 } = transcode(src);
    assert.equal(json.ok, true, json.error);
    assert.deepEqual([json.width, json.height], [1280, 720]);
    assert.ok(Math.abs(streamSeconds(mp4, 'v') - 2) < 0.15);
    assertPicture(src, mp4, 1.5, 'scale=720:720,pad=1280:720:-1:-1', 'scale=1280:720');
  });
});

describe('mirror display matrices', () => {
  const cases = [
    ['hflip', [-1, 0, 0, 1], (w) => [w, 0], [320, 240], 'hflip', 'hflip,vflip'],
    ['vflip', [1, 0, 0, -1], (w, h) => [0, h], [320, 240], 'vflip', null],
    ['transpose (90 + flip)', [0, 1, 1, 0], () => [0, 0], [240, 320], 'transpose=cclock_flip', 'transpose=clock'],
    ['270 + flip', [0, -1, -1, 0], (w, h) => [h, w], [240, 320], 'transpose=clock_flip', 'transpose=cclock'],
  ];
  for (const [name, mat, offset, size, vf, wrong] of cases) {
    test(`${name} is mirrored, not turned or dropped (and never stream-copied as is)`, () => {
      const src = makeClip(`mirror-${name.split(' ')[0]}.mp4`);
      setMatrix(src, mat, offset);
      const { json, mp4 } = transcode(src);
      assert.equal(json.ok, true, json.error);
      assert.deepEqual([json.width, json.height], size);
      assert.equal(json.renditions[0].fast_path, false);
      assertPicture(src, mp4, 1, vf, wrong);
    });
  }
});

describe('refusals say why', () => {
  for (const [ext, args] of [['mp3', []], ['wav', []], ['aac', ['-c:a', 'aac']], ['flac', []]]) {
    test(`an audio-only .${ext} is refused as audio-only`, () => {
      const src = file(`voice.${ext}`);
      ffmpeg(['-f', 'lavfi', '-i', 'sine=d=2', ...args, src]);
      const { json } = transcode(src);
      assert.equal(json.ok, false);
      assert.equal(json.code, 'audio_only');
      assert.equal(json.error, 'audio-only file');
    });
  }

  test('an mp3 whose ID3 tag is larger than the sniffed bytes is still audio-only', () => {
    const mp3 = file('voice.mp3');
    if (!fs.existsSync(mp3)) ffmpeg(['-f', 'lavfi', '-i', 'sine=d=2', mp3]);
    const size = 20000, syncsafe = [21, 14, 7, 0].map((s) => (size >> s) & 0x7f);
    const tag = Buffer.concat([Buffer.from('ID3\x04\x00\x00', 'latin1'), Buffer.from(syncsafe), Buffer.alloc(size)]);
    fs.writeFileSync(file('bigtag.mp3'), Buffer.concat([tag, fs.readFileSync(mp3)]));
    const { json } = transcode(file('bigtag.mp3'));
    assert.equal(json.code, 'audio_only');
  });

  for (const ext of ['mkv', 'mp4', 'ts']) {
    test(`41 streams in .${ext}: "too many streams in the file"`, () => {
      const src = file(`many.${ext}`);
      const maps = Array.from({ length: 40 }, () => ['-map', '1:a']).flat();
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=10:d=1', '-f', 'lavfi', '-i', 'sine=d=1', '-map', '0:v', ...maps,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', src]);
      const { json } = transcode(src);
      assert.equal(json.ok, false);
      assert.equal(json.code, 'unsupported');
      assert.equal(json.error, 'too many streams in the file');
    });
  }
});

describe('gaps in the video timestamps', () => {
  // 15 s of 10 fps video whose last 5 s are moved `shift` seconds later, over
  // continuous audio as long as the whole span.
  function gapped(name, shift) {
    const src = file(name);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=10:d=15', '-f', 'lavfi', '-i', `sine=d=${15 + shift}`,
      '-vf', `setpts='if(gte(T,10),PTS+${shift}/TB,PTS)'`, '-fps_mode', 'passthrough',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', src]);
    return src;
  }

  // Every HLS segment holds about its own 2 s: none carries a gap's audio.
  function assertEvenSegments(playlist) {
    const sizes = fs.readFileSync(playlist, 'utf8').split('\n').filter((l) => l.startsWith('#EXT-X-BYTERANGE:'))
      .map((l) => Number(l.slice(17).split('@')[0]));
    const sorted = [...sizes].sort((a, b) => a - b), median = sorted[sorted.length >> 1];
    assert.ok(sorted[sorted.length - 1] < 4 * median, `a segment of ${sorted[sorted.length - 1]} bytes, median ${median}`);
  }

  test('a gap across the cap: the last picture holds to 180 s, audio and video end together', () => {
    const { json, outDir, mp4 } = transcode(gapped('gap-cap.mkv', 190));
    assert.equal(json.ok, true, json.error);
    assert.equal(json.duration, 180);
    for (const sel of ['v', 'a'])
      assert.ok(Math.abs(streamSeconds(mp4, sel) - 180) < 0.2, `${sel}: ${streamSeconds(mp4, sel)} s`);
    assert.ok(fs.statSync(path.join(outDir, 'poster.jpg')).size > 0);
    assertEvenSegments(path.join(outDir, '720p.m3u8'));
  });

  test('a gap inside the cap is filled with the last picture; the pictures after it are kept', () => {
    const src = gapped('gap-mid.mkv', 50);
    const { json, outDir, mp4 } = transcode(src);
    assert.equal(json.ok, true, json.error);
    assert.ok(Math.abs(json.duration - 65) < 0.2, `duration ${json.duration}`);
    for (const sel of ['v', 'a'])
      assert.ok(Math.abs(streamSeconds(mp4, sel) - 65) < 0.2, `${sel}: ${streamSeconds(mp4, sel)} s`);
    assertPicture(src, mp4, 62, 'null');
    const frozen = picture(mp4, 35);
    assert.ok(meanDiff(frozen, picture(src, 9.9)) < 8, 'the gap shows the last picture before it');
    assertEvenSegments(path.join(outDir, '720p.m3u8'));
  });
});

describe('interlaced sources', () => {
  // idet's verdict over the whole file: [interlaced frames, progressive frames].
  function fields(f) {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-i', f, '-map', '0:v', '-vf', 'idet', '-f', 'null', '-'], { encoding: 'utf8' });
    const m = r.stderr.match(/Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)/);
    assert.ok(m, r.stderr.slice(-500));
    return [Number(m[1]) + Number(m[2]), Number(m[3])];
  }

  for (const [name, codec] of [['H.264 in MP4', ['-c:v', 'libx264', '-preset', 'ultrafast']], ['MPEG-2 in TS', ['-c:v', 'mpeg2video', '-q:v', '3']]]) {
    test(`${name} (top field first, 60 fields/s) comes out progressive`, () => {
      const src = file(`interlaced-${codec[1]}.${name.endsWith('TS') ? 'ts' : 'mp4'}`);
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=60:d=2', '-vf', 'tinterlace=mode=interleave_top,setfield=tff',
        ...codec, '-flags', '+ildct+ilme', '-pix_fmt', 'yuv420p', src]);
      const [i0] = fields(src);
      assert.ok(i0 > 50, `the source is interlaced (${i0})`);
      const { json, mp4 } = transcode(src);
      assert.equal(json.ok, true, json.error);
      assert.equal(json.renditions[0].fast_path, false);
      const [inter, prog] = fields(mp4);
      assert.ok(prog >= 0.8 * (inter + prog), `output still interlaced: ${inter} interlaced, ${prog} progressive`);
    });
  }
});
