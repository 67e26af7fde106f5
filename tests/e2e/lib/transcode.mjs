// Helpers for the bin/casereel-transcode end-to-end tests: clips made with
// ffmpeg lavfi, the CLI run on them, and ffprobe-based checks of the outputs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ffmpeg } from './ffmpeg.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN_DIR = process.env.CASEREEL_BIN || path.join(here, '..', '..', '..', 'bin');
export const CLI = path.join(BIN_DIR, 'casereel-transcode');
export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'casereel-tx-'));

// the ffmpeg CLI making a file (lavfi-made ones are kept between runs)
export { ffmpeg };

// A clip from lavfi: size, rate, seconds, extra output args, audio args (null = none);
// H.264 High profile unless `video` says otherwise (later options win).
export function makeClip(name, { size = '320x240', rate = 30, secs = 2, video = [], audio = ['-c:a', 'aac'],
  asrc = 'sine=f=300:sample_rate=48000', vsrc = 'testsrc2', pre = [] } = {}) {
  const out = path.join(tmp, name);
  const args = ['-f', 'lavfi', '-i', `${vsrc}=s=${size}:r=${rate}:d=${secs}`];
  if (audio) args.push('-f', 'lavfi', '-i', `${asrc}:d=${secs}`);
  args.push(...pre, '-map', '0:v');
  if (audio) args.push('-map', '1:a', ...audio);
  // superfast, not ultrafast: CABAC, so High profile (the fast path never copies Baseline)
  args.push('-c:v', 'libx264', '-preset', 'superfast', '-pix_fmt', 'yuv420p', ...video, '-t', String(secs), out);
  ffmpeg(args);
  return out;
}

export function transcode(input, { args = [], strace = false } = {}) {
  const outDir = fs.mkdtempSync(path.join(tmp, 'out-'));
  let cmd = CLI, argv = [...args, input, outDir], traceLog = null;
  if (strace) {
    traceLog = path.join(outDir, '..', path.basename(outDir) + '.strace');
    argv = ['-f', '-qq', '-e', 'trace=open,openat,connect', '-o', traceLog, CLI, ...argv];
    cmd = 'strace';
  }
  // LeakSanitizer cannot run under ptrace; the same input also runs untraced.
  const env = strace ? { ...process.env, ASAN_OPTIONS: `${process.env.ASAN_OPTIONS || ''}:detect_leaks=0` } : process.env;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120000, env });
  let json = null;
  try { json = JSON.parse(r.stdout.trim().split('\n').pop()); } catch { /* asserted below */ }
  assert.ok(json, `no JSON on stdout (status ${r.status}): ${r.stdout} ${r.stderr}`);
  return { status: r.status, json, outDir, trace: traceLog ? fs.readFileSync(traceLog, 'utf8') : '' };
}

export function probe(file, extra = []) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', ...extra, '-of', 'json', file],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffprobe ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Integrated loudness (LUFS) of a file's audio, measured by ffmpeg's ebur128.
export function integratedLoudness(file) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'ebur128', '-f', 'null', '-'],
    { encoding: 'utf8' });
  return Number((r.stderr.match(/I:\s+(-?[\d.]+) LUFS\s*\n\s*Threshold[\s\S]*$/) || [])[1]);
}

export const vstream = (p) => p.streams.find((s) => s.codec_type === 'video');
export const astream = (p) => p.streams.find((s) => s.codec_type === 'audio');
export const rate = (s) => { const [n, d] = s.split('/').map(Number); return d ? n / d : 0; };

export function videoBytes(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=size', '-of', 'csv=p=0', file],
    { encoding: 'utf8' });
  return r.stdout.trim().split('\n').reduce((s, l) => s + Number(l), 0);
}

export function keyframeTimes(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags',
    '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter((l) => l.includes('K')).map((l) => Number(l.split(',')[0]))
    .sort((a, b) => a - b);
}

// The checks every successful output must pass.
export function checkOutput(res, { audio = true, portrait = null, maxW = 1280, maxH = 1280 } = {}) {
  assert.equal(res.status, 0, JSON.stringify(res.json));
  const j = res.json;
  assert.equal(j.ok, true);
  assert.ok(j.duration > 0 && j.duration <= 180.0, `duration ${j.duration}`);
  const names = fs.readdirSync(res.outDir).sort();
  for (const f of ['master.m3u8', 'poster.jpg', 'thumb.jpg', '720p.mp4', '720p.m3u8']) assert.ok(names.includes(f), f);
  assert.ok(!names.some((n) => n.endsWith('.tmp')), 'no temp files left');

  for (const r of j.renditions) {
    const p = probe(path.join(res.outDir, r.mp4));
    const v = vstream(p);
    assert.equal(v.codec_name, 'h264');
    assert.equal(v.pix_fmt, 'yuv420p');
    assert.equal(v.width, r.width);
    assert.equal(v.height, r.height);
    assert.ok(v.width % 2 === 0 && v.height % 2 === 0, 'even dimensions');
    assert.ok(Math.max(v.width, v.height) <= 1280 && Math.min(v.width, v.height) <= 720, 'inside 720p box');
    assert.ok(v.width <= maxW && v.height <= maxH, 'never upscaled');
    assert.ok(rate(v.r_frame_rate) <= 30.001, `fps ${v.r_frame_rate}`);
    assert.ok(!(v.side_data_list || []).some((s) => /display ?matrix/i.test(s.side_data_type)), 'no rotation left');
    if (!r.fast_path) {
      assert.equal(v.color_transfer, 'bt709');
      assert.equal(v.color_primaries, 'bt709');
      assert.equal(v.color_space, 'bt709');
    }
    assert.ok(Math.abs(rate(v.avg_frame_rate) - rate(v.r_frame_rate)) < 0.01,
      `constant frame rate: avg ${v.avg_frame_rate} r ${v.r_frame_rate}`);
    if (portrait !== null) assert.equal(v.height > v.width, portrait, `orientation ${v.width}x${v.height}`);
    assert.ok(Number(p.format.duration) <= 180.05, `mp4 duration ${p.format.duration}`);
    const tags = JSON.stringify([p.format.tags || {}, ...p.streams.map((s) => s.tags || {})]).toLowerCase();
    for (const bad of ['location', 'gps', 'make', 'model', '+12.3456']) assert.ok(!tags.includes(bad), `metadata ${bad} leaked: ${tags}`);
    const a = astream(p);
    if (audio) {
      assert.ok(a, 'audio present');
      assert.equal(a.codec_name, 'aac');
      if (!j.audio_copied) {
        assert.equal(Number(a.sample_rate), 48000);
        assert.equal(a.channels, 2);
      }
    } else {
      assert.equal(a, undefined, 'no audio track');
    }
  }
  assert.equal(j.has_audio, audio);
  // both rungs, unless one stream copy already is what both would be
  if (!(j.renditions.length === 1 && j.renditions[0].fast_path)) assert.equal(j.renditions.length, 2, 'two variants');

  const master = fs.readFileSync(path.join(res.outDir, 'master.m3u8'), 'utf8');
  const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
  assert.equal(variants.length, j.renditions.length);
  for (const v of variants) assert.match(v, /BANDWIDTH=\d+.*RESOLUTION=\d+x\d+.*CODECS="avc1\.[0-9a-f]{6}/);
  const hp = probe(path.join(res.outDir, 'master.m3u8'));
  assert.ok(Number(hp.format.duration) > 0, 'HLS master readable');
  assert.ok(!/https?:|\/\//.test(fs.readFileSync(path.join(res.outDir, '720p.m3u8'), 'utf8')), 'relative URIs');
  // the variants' segments line up: the same number, starting at the same times
  const segments = j.renditions.map((r) => fs.readFileSync(path.join(res.outDir, r.playlist), 'utf8')
    .split('\n').filter((l) => l.startsWith('#EXTINF')).length);
  assert.equal(new Set(segments).size, 1, `segments per variant: ${segments}`);

  const poster = vstream(probe(path.join(res.outDir, 'poster.jpg')));
  assert.equal(poster.codec_name, 'mjpeg');
  assert.equal(poster.width, j.renditions.find((r) => !r.fast_path)?.width ?? j.width);
  const thumb = vstream(probe(path.join(res.outDir, 'thumb.jpg')));
  assert.equal(thumb.codec_name, 'mjpeg');
  assert.ok(thumb.width <= 180);
  return j;
}

// Output args that tag a clip's colour BT.709 (what the fast path may copy).
export const BT709 = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];
// AAC-LC 48 kHz stereo of makeClip's default sine at about -16 LUFS (copyable as is).
export const AUDIO_OK = ['-c:a', 'aac', '-ac', '2', '-ar', '48000', '-af', 'volume=5.9dB'];

// Child boxes of an MP4 (or of one box's payload): [{type, at, end}] with `at` the payload start.
function boxesIn(buf, start, end) {
  const out = [];
  for (let p = start; p + 8 <= end;) {
    const size = buf.readUInt32BE(p);
    assert.ok(size >= 8 && p + size <= end, `box size ${size} at ${p}`);
    out.push({ type: buf.toString('latin1', p + 4, p + 8), at: p + 8, end: p + size });
    p += size;
  }
  return out;
}
const only = (list, type) => list.find((b) => b.type === type);

// MPEG-4 descriptor header (tag, 1-4 length bytes) at `p`: {tag, at, len}.
function descriptor(buf, p) {
  const tag = buf[p++];
  let len = 0;
  for (let i = 0; i < 4; i++) {
    const b = buf[p++];
    len = len * 128 + (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  return { tag, at: p, len };
}

// What each track of an MP4 declares, in track order: the sample entry's btrt
// box (bits/s) and, for audio, its esds DecoderConfigDescriptor.
export function declaredRates(file) {
  const buf = fs.readFileSync(file);
  const moov = only(boxesIn(buf, 0, buf.length), 'moov');
  assert.ok(moov, 'moov');
  return boxesIn(buf, moov.at, moov.end).filter((b) => b.type === 'trak').map((trak) => {
    let b = trak;
    for (const t of ['mdia', 'minf', 'stbl', 'stsd']) b = only(boxesIn(buf, b.at, b.end), t);
    const entry = boxesIn(buf, b.at + 8, b.end)[0];
    const kids = boxesIn(buf, entry.at + (entry.type === 'avc1' ? 78 : 28), entry.end);
    const r = { type: entry.type };
    const btrt = only(kids, 'btrt');
    if (btrt) Object.assign(r, { btrt: { buffer: buf.readUInt32BE(btrt.at), max: buf.readUInt32BE(btrt.at + 4),
      avg: buf.readUInt32BE(btrt.at + 8) } });
    const esds = only(kids, 'esds');
    if (esds) {
      const es = descriptor(buf, esds.at + 4);
      assert.equal(es.tag, 3);
      assert.equal(buf[es.at + 2], 0, 'ES_Descriptor flags');
      const dc = descriptor(buf, es.at + 3);
      assert.equal(dc.tag, 4);
      r.esds = { max: buf.readUInt32BE(dc.at + 5), avg: buf.readUInt32BE(dc.at + 9) };
    }
    return r;
  });
}

// One stream's bit rates measured from its packets: average over the
// stream's duration and the most bits in any 1 s of decode time (bits/s).
export function measuredRates(file, sel = 'v') {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', sel, '-show_entries', 'packet=dts_time,size:stream=duration',
    '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(r.stdout);
  const pk = j.packets.map((p) => [Number(p.dts_time), Number(p.size)]);
  let peak = 0, acc = 0, bytes = 0;
  for (let i = 0, k = 0; k < pk.length; k++) {
    acc += pk[k][1];
    bytes += pk[k][1];
    while (pk[k][0] - pk[i][0] >= 1 - 1e-9) acc -= pk[i++][1];
    peak = Math.max(peak, acc * 8);
  }
  return { avg: bytes * 8 / Number(j.streams[0].duration), peak, bytes };
}
