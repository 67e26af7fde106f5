// End-to-end tests of bin/casereel-transcode: every input is generated here with
// ffmpeg lavfi, every output is judged with ffprobe (never by file existence alone).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, tmp, ffmpeg, makeClip, transcode, probe, integratedLoudness, vstream, astream, videoBytes,
  keyframeTimes, checkOutput, BT709, AUDIO_OK } from './lib/transcode.mjs';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

// Writes a display matrix into the first video tkhd of an MP4 (ffmpeg 5.1's CLI
// cannot set one), the way phones store orientation.
function setRotation(file, degrees) {
  const buf = fs.readFileSync(file);
  const at = buf.indexOf(Buffer.from('tkhd'));
  assert.ok(at > 0);
  const version = buf[at + 4];
  const m = at - 4 + (version === 1 ? 60 : 48);
  const w = buf.readUInt32BE(m + 36) >>> 16, h = buf.readUInt32BE(m + 40) >>> 16;
  const mats = { 90: [0, 1, -1, 0, h, 0], 180: [-1, 0, 0, -1, w, h], 270: [0, -1, 1, 0, 0, w] };
  const [a, b, c, d, tx, ty] = mats[degrees];
  const vals = [a * 65536, b * 65536, 0, c * 65536, d * 65536, 0, tx * 65536, ty * 65536, 0x40000000];
  vals.forEach((v, i) => buf.writeInt32BE(v | 0, m + i * 4));
  fs.writeFileSync(file, buf);
}

// An AVI whose only stream is a GAB2 subtitle carrying an HLS playlist: the
// avi demuxer probes and may open such payloads with a sub-demuxer.
function aviWithPlaylist(file, playlist) {
  const chunk = (id, data) => {
    const pad = data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
    const h = Buffer.alloc(8); h.write(id, 0, 'latin1'); h.writeUInt32LE(data.length, 4);
    return Buffer.concat([h, data, pad]);
  };
  const list = (type, ...items) => chunk('LIST', Buffer.concat([Buffer.from(type, 'latin1'), ...items]));
  const avih = Buffer.alloc(56); avih.writeUInt32LE(40000, 0); avih.writeUInt32LE(1, 24); avih.writeUInt32LE(1, 16);
  const strh = Buffer.alloc(56); strh.write('txts', 0, 'latin1'); strh.writeUInt32LE(1, 20); strh.writeUInt32LE(25, 24);
  strh.writeUInt32LE(1, 32);
  const name = Buffer.from('x\0', 'utf16le');
  const payload = Buffer.from(playlist, 'latin1');
  const gab = Buffer.concat([Buffer.from('GAB2\0', 'latin1'), Buffer.from([2, 0]), u32(name.length), name,
    Buffer.from([4, 0]), u32(payload.length), payload]);
  const body = Buffer.concat([Buffer.from('AVI ', 'latin1'),
    list('hdrl', chunk('avih', avih), list('strl', chunk('strh', strh), chunk('strf', Buffer.alloc(0)))),
    list('movi', chunk('00tx', gab))]);
  fs.writeFileSync(file, chunk('RIFF', body).subarray(0));
  function u32(n) { const b = Buffer.alloc(4); b.writeUInt32LE(n, 0); return b; }
}

before(() => {
  assert.ok(fs.existsSync(CLI), `missing ${CLI} (build with make)`);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('transcode CLI: sources phones produce', { concurrency: 2 }, () => {
  test('landscape 720p H.264 with phone metadata: full ladder, aligned 2 s IDRs, loudness, no GPS', () => {
    const src = makeClip('land.mp4', { size: '1280x720', secs: 4, asrc: 'sine=f=300:sample_rate=44100',
      video: ['-metadata', 'location=+12.3456-098.7654/', '-metadata', 'make=Apple', '-metadata', 'model=iPhone 15',
        '-metadata:s:v', 'location=+12.3456-098.7654/', '-b:v', '8M'] });
    const res = transcode(src);
    const j = checkOutput(res, { portrait: false });
    assert.equal(j.renditions.length, 2);
    assert.deepEqual([j.renditions[0].width, j.renditions[0].height], [1280, 720]);
    assert.deepEqual([j.renditions[1].width, j.renditions[1].height], [640, 360]);
    assert.equal(j.fast_path, false);
    assert.ok(Math.abs(j.duration - 4) < 0.1, `duration ${j.duration}`);
    const k720 = keyframeTimes(path.join(res.outDir, '720p.mp4'));
    const k360 = keyframeTimes(path.join(res.outDir, '360p.mp4'));
    assert.deepEqual(k720, k360, 'keyframes aligned across renditions');
    assert.equal(k720.length, 2);
    assert.ok(Math.abs(k720[1] - k720[0] - 2) < 0.01, `IDR every 2 s: ${k720}`);
    const pl = fs.readFileSync(path.join(res.outDir, '720p.m3u8'), 'utf8');
    assert.match(pl, /#EXT-X-MAP:URI="720p.mp4",BYTERANGE="\d+@0"/);
    assert.equal((pl.match(/#EXT-X-BYTERANGE/g) || []).length, 2);
    // loudness: sine at -20 dBFS-ish is brought towards -16 LUFS
    const lufs = integratedLoudness(path.join(res.outDir, '720p.mp4'));
    assert.ok(Math.abs(lufs - -16) < 1.5, `integrated loudness ${lufs}`);
  });

  for (const deg of [90, 180, 270]) {
    test(`display matrix rotation ${deg}: upright output, matrix gone`, () => {
      const src = makeClip(`rot${deg}.mp4`, { size: '320x240' });
      setRotation(src, deg);
      const side = vstream(probe(src)).side_data_list || [];
      assert.ok(side.some((s) => Math.abs(Math.abs(s.rotation) % 360) === (deg === 180 ? 180 : 90)), 'input is rotated');
      const j = checkOutput(transcode(src), { portrait: deg !== 180 });
      assert.deepEqual([j.width, j.height], deg === 180 ? [320, 240] : [240, 320]);
    });
  }

  for (const [name, trc] of [['HLG', 'arib-std-b67'], ['PQ', 'smpte2084']]) {
    test(`HDR ${name} 10-bit HEVC is tone-mapped to 8-bit BT.709 SDR`, () => {
      const src = makeClip(`hdr-${name}.mp4`, { size: '640x360', video: ['-c:v', 'libx265', '-pix_fmt', 'yuv420p10le',
        '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-color_primaries', 'bt2020', '-color_trc', trc,
        '-colorspace', 'bt2020nc'] });
      const v = vstream(probe(src));
      assert.equal(v.color_transfer, trc);
      assert.equal(v.pix_fmt, 'yuv420p10le');
      const res = transcode(src);
      checkOutput(res);
      const sig = spawnSync('ffmpeg', ['-v', 'info', '-i', path.join(res.outDir, '720p.mp4'), '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG',
        '-frames:v', '1', '-f', 'null', '-'], { encoding: 'utf8' });
      const yavg = Number((sig.stderr.match(/YAVG=([\d.]+)/) || [])[1]);
      assert.ok(yavg > 30, `tone-mapped picture is not black (YAVG ${yavg})`);
    });
  }

  test('odd dimensions 321x241 become even, never upscaled', () => {
    const src = makeClip('odd.mp4', { size: '321x241', video: ['-pix_fmt', 'yuv444p'] });
    const j = checkOutput(transcode(src), { maxW: 321, maxH: 241 });
    assert.deepEqual([j.width, j.height], [320, 240]);
    assert.equal(j.renditions.length, 2, 'the low rung too: same size, lower bit-rate cap');
    assert.deepEqual([j.renditions[1].width, j.renditions[1].height], [320, 240]);
  });

  test('4:4:4 H.264 becomes 4:2:0', () => {
    const src = makeClip('444.mp4', { size: '640x480', video: ['-pix_fmt', 'yuv444p'] });
    assert.equal(vstream(probe(src)).pix_fmt, 'yuv444p');
    const j = checkOutput(transcode(src));
    assert.deepEqual([j.width, j.height], [640, 480]);
  });

  test('VFR 60 fps source becomes constant 30 fps', () => {
    const src = makeClip('vfr.mkv', { size: '320x240', rate: 60, secs: 3,
      video: ['-vf', "setpts='N/60/TB+if(eq(mod(N,5),0),0.008/TB,0)'", '-fps_mode', 'vfr'] });
    const res = transcode(src);
    const j = checkOutput(res);
    const v = vstream(probe(path.join(res.outDir, '720p.mp4'), ['-count_frames']));
    assert.equal(v.r_frame_rate, '30/1');
    assert.ok(Math.abs(Number(v.nb_read_frames) - 90) <= 2, `frames ${v.nb_read_frames}`);
    assert.ok(Math.abs(j.duration - 3) < 0.15);
  });

  test('clip without audio has no audio track', () => {
    const j = checkOutput(transcode(makeClip('silent.mp4', { audio: null })), { audio: false });
    assert.equal(j.has_audio, false);
  });

  for (const [sr, ch] of [[8000, 1], [44100, 1]]) {
    test(`mono ${sr} Hz audio becomes AAC 48 kHz stereo`, () => {
      const src = makeClip(`mono${sr}.mp4`, { asrc: `sine=f=200:sample_rate=${sr}`, audio: ['-c:a', 'aac', '-ac', String(ch)] });
      const a = astream(probe(src));
      assert.equal(Number(a.sample_rate), sr);
      checkOutput(transcode(src));
    });
  }

  test('HEVC 8-bit in MP4', () => {
    const src = makeClip('hevc.mp4', { size: '640x360', video: ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v', 'hvc1'] });
    assert.equal(vstream(probe(src)).codec_name, 'hevc');
    checkOutput(transcode(src));
  });

  test('VP9 + Opus in WebM', () => {
    const src = makeClip('vp9.webm', { size: '640x360', video: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'],
      audio: ['-c:a', 'libopus'] });
    assert.equal(vstream(probe(src)).codec_name, 'vp9');
    checkOutput(transcode(src));
  });

  test('3GP (H.263 + AAC)', () => {
    const src = makeClip('clip.3gp', { size: '176x144', rate: 15, video: ['-c:v', 'h263'], audio: ['-c:a', 'aac', '-ac', '1', '-ar', '16000'] });
    assert.equal(vstream(probe(src)).codec_name, 'h263');
    const j = checkOutput(transcode(src));
    assert.deepEqual([j.width, j.height], [176, 144]);
  });

  test('185 s source is cut to 180 s on decoded timestamps', () => {
    const src = makeClip('long.mp4', { size: '160x90', rate: 5, secs: 185, asrc: 'sine=f=300:sample_rate=48000' });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.trimmed, true);
    assert.ok(Math.abs(j.source_duration - 185) < 0.5, `source ${j.source_duration}`);
    assert.ok(j.duration <= 180.0 && j.duration > 179.5, `duration ${j.duration}`);
    const p = probe(path.join(res.outDir, '720p.mp4'));
    assert.ok(Number(vstream(p).duration) <= 180.0 + 1e-6, `video ${vstream(p).duration}`);
    assert.ok(Number(astream(p).duration) <= 180.03, `audio ${astream(p).duration}`);
  });

  test('fast path: compliant 640x360 H.264 + AAC 48k stereo is remuxed, not re-encoded', () => {
    const src = makeClip('ok360.mp4', { size: '640x360', secs: 4, asrc: 'sine=f=300:sample_rate=48000',
      video: ['-b:v', '400k', '-maxrate', '400k', '-bufsize', '800k', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', ...BT709],
      audio: AUDIO_OK });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.fast_path, true);
    assert.equal(j.renditions[0].fast_path, true);
    assert.equal(j.audio_copied, true);
    const a = vstream(probe(src)), b = vstream(probe(path.join(res.outDir, j.renditions[0].mp4)));
    assert.equal(b.codec_name, a.codec_name);
    assert.equal(b.profile, a.profile);
    assert.equal(videoBytes(path.join(res.outDir, j.renditions[0].mp4)), videoBytes(src), 'same video bytes, same bit rate');
    const md5 = (f) => spawnSync('ffmpeg', ['-v', 'error', '-i', f, '-map', '0:v', '-c', 'copy', '-f', 'md5', '-'], { encoding: 'utf8' }).stdout;
    assert.equal(md5(path.join(res.outDir, j.renditions[0].mp4)), md5(src), 'video bitstream copied unchanged');
  });

  test('640x360 H.264 over the 360p bit-rate cap is re-encoded, and its copy-ready AAC is still normalised', () => {
    // The headers promise a remux; only the scan finds the bit rate too high.
    const src = makeClip('fat360.mp4', { size: '640x360', secs: 4, asrc: 'sine=f=300:sample_rate=48000',
      video: ['-vf', 'noise=alls=40:allf=t', '-qp', '12'], audio: ['-c:a', 'aac', '-ac', '2', '-ar', '48000'] });
    assert.ok(videoBytes(src) * 8 / 4 > 700000, 'the source is above the 360p cap');
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.fast_path, false);
    assert.equal(j.audio_copied, false);
    const lufs = integratedLoudness(path.join(res.outDir, j.renditions[0].mp4));
    assert.ok(Math.abs(lufs - -16) < 1.5, `integrated loudness ${lufs}`);
  });

  test('fast path for the top rendition only: 360p encoded with keyframes on the copied ones', () => {
    const src = makeClip('ok720.mp4', { size: '1280x720', secs: 4, video: ['-b:v', '1500k', '-maxrate', '1500k', '-bufsize', '3M',
      '-g', '60', '-keyint_min', '60', '-sc_threshold', '0'] });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.deepEqual(j.renditions.map((r) => r.fast_path), [true, false]);
    assert.deepEqual(keyframeTimes(path.join(res.outDir, '360p.mp4')).map((t) => t.toFixed(2)),
      keyframeTimes(path.join(res.outDir, '720p.mp4')).map((t) => t.toFixed(2)));
  });
});

test('three jobs at once on threads of one process (library thread safety)', () => {
  const src = makeClip('par.mp4', { size: '640x480', secs: 3 });
  const outDir = fs.mkdtempSync(path.join(tmp, 'par-'));
  const r = spawnSync(CLI, ['--parallel', '3', src, outDir], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.jobs.length, 3);
  const sizes = new Set();
  j.jobs.forEach((job, i) => {
    const dir = path.join(outDir, `job${i}`);
    checkOutput({ status: 0, json: job, outDir: dir });
    sizes.add(videoBytes(path.join(dir, '720p.mp4')) > 0);
  });
  assert.deepEqual([...sizes], [true]);
});

describe('transcode CLI: hostile and broken input', { concurrency: 2 }, () => {
  function rejects(file, code, error, { canary } = {}) {
    for (const strace of hasStrace ? [false, true] : [false]) {
      const res = transcode(file, { strace });
      assert.equal(res.status, 1, JSON.stringify(res.json));
      assert.equal(res.json.ok, false);
      assert.equal(res.json.code, code);
      assert.equal(res.json.error, error);
      assert.deepEqual(fs.readdirSync(res.outDir), [], 'nothing left in the output directory');
      if (!strace) continue;
      assert.ok(!res.trace.includes('/etc/passwd'), 'never opened /etc/passwd');
      if (canary) assert.ok(!res.trace.includes(canary), `never opened ${canary}`);
      assert.ok(!/connect\(\d+, \{sa_family=AF_INET/.test(res.trace), 'never reached the network');
      assert.ok(res.trace.includes(path.basename(file)), 'the trace saw the input being opened');
    }
  }

  test('audio-only file', () => {
    const f = path.join(tmp, 'voice.m4a');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=d=2', '-c:a', 'aac', f]);
    rejects(f, 'audio_only', 'audio-only file');
  });

  test('text file', () => {
    const f = path.join(tmp, 'notes.mp4');
    fs.writeFileSync(f, 'call the customer back tomorrow\n'.repeat(40));
    rejects(f, 'unsupported', 'this is a text file, not a video');
  });

  test('truncated MP4 (index at the end lost)', () => {
    const src = makeClip('trunc-src.mp4', { size: '320x240' });
    const f = path.join(tmp, 'trunc.mp4');
    const b = fs.readFileSync(src);
    fs.writeFileSync(f, b.subarray(0, Math.floor(b.length / 2)));
    rejects(f, 'unsupported', 'unsupported or damaged file');
  });

  test('truncated MP4 (index first, media cut)', () => {
    const src = makeClip('trunc-fs.mp4', { size: '320x240', video: ['-movflags', '+faststart'] });
    const f = path.join(tmp, 'trunc2.mp4');
    const b = fs.readFileSync(src);
    fs.writeFileSync(f, b.subarray(0, Math.floor(b.length / 2)));
    rejects(f, 'unsupported', 'the file is truncated or damaged');
  });

  test('HLS playlist pointing at /etc/passwd, renamed .mp4', () => {
    const canary = path.join(tmp, 'canary-seg.ts');
    fs.writeFileSync(canary, 'x');
    const f = path.join(tmp, 'evil-hls.mp4');
    fs.writeFileSync(f, `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXTINF:10.0,\n${canary}\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n`);
    rejects(f, 'playlist', 'playlists are not accepted', { canary });
  });

  test('concat list, renamed .mp4', () => {
    const f = path.join(tmp, 'evil-concat.mp4');
    fs.writeFileSync(f, "ffconcat version 1.0\nfile '/etc/passwd'\n");
    rejects(f, 'playlist', 'playlists are not accepted');
  });

  test('HLS playlist hidden in an AVI (GAB2 subtitle)', () => {
    const f = path.join(tmp, 'evil.avi');
    aviWithPlaylist(f, '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nconcat:file:///etc/passwd|subfile,,start,0,end,0,,:/etc/passwd\n#EXT-X-ENDLIST\n');
    rejects(f, 'no_video', 'no video stream found');
  });

  test('resolution above 8K', () => {
    const f = path.join(tmp, 'huge.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=7744x4356:r=1:d=1', '-frames:v', '1', '-c:v', 'libx264', '-preset', 'ultrafast', f]);
    rejects(f, 'too_large', 'resolution above 8K');
  });

  test('time limit stops the job and the process exits cleanly', () => {
    const src = makeClip('slow.mp4', { size: '1280x720', secs: 4 });
    const res = transcode(src, { args: ['--time-limit', '0.05'] });
    assert.equal(res.status, 1);
    assert.equal(res.json.code, 'time_limit');
    assert.equal(res.json.error, 'time limit exceeded');
    assert.deepEqual(fs.readdirSync(res.outDir), []);
  });
});
