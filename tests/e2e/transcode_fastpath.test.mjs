// End-to-end tests of the fast path (stream copy of a source that already
// meets the spec) and of the HLS output: each source below is compliant but
// for one thing, which must make the copy refused or the output correct.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, tmp, ffmpeg, makeClip, transcode, probe, integratedLoudness, vstream, keyframeTimes, checkOutput,
  BT709, AUDIO_OK, rate, declaredRates, measuredRates } from './lib/transcode.mjs';

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A compliant 640x360 clip but for what `video` / `audio` / `vf` change.
function compliant(name, { secs = 4, size = '640x360', r = 30, video = [], audio = AUDIO_OK, vf = null } = {}) {
  return makeClip(name, { size, rate: r, secs, audio, video: [...(vf ? ['-vf', vf] : []),
    '-b:v', '400k', '-maxrate', '400k', '-bufsize', '800k', '-g', String(2 * r), '-keyint_min', String(2 * r),
    '-sc_threshold', '0', ...BT709, ...video] });
}

// Seconds of the first frame whose mean luma is above 128.
function firstBright(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-f', 'lavfi', '-i', `movie=${file},signalstats`,
    '-show_entries', 'frame=pts_time:frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0'], { encoding: 'utf8' });
  const hit = r.stdout.trim().split('\n').map((l) => l.split(',').map(Number)).find(([, y]) => y > 128);
  return hit ? hit[0] : null;
}

// Segments of a media playlist: EXTINF seconds and byte-range length.
function segments(file) {
  const text = fs.readFileSync(file, 'utf8');
  const durs = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  const lens = [...text.matchAll(/#EXT-X-BYTERANGE:(\d+)@/g)].map((m) => Number(m[1]));
  const target = Number(text.match(/#EXT-X-TARGETDURATION:(\d+)/)[1]);
  return { target, segs: durs.map((d, i) => ({ d, bits: lens[i] * 8 })) };
}

function masterBandwidths(dir) {
  const m = fs.readFileSync(path.join(dir, 'master.m3u8'), 'utf8');
  return [...m.matchAll(/[:,]BANDWIDTH=(\d+),/g)].map((x) => Number(x[1]));
}

function keyGaps(file) {
  const k = keyframeTimes(file);
  return k.slice(1).map((t, i) => t - k[i]);
}

describe('fast path refuses what a copy would get wrong', { concurrency: 2 }, () => {
  test('1 edit list: the part the uploader cut away is never published', () => {
    const full = path.join(tmp, 'sync.mp4');
    ffmpeg(['-f', 'lavfi', '-i', "color=c=black:s=640x360:r=30:d=10,drawbox=w=640:h=360:color=white:t=fill:enable='between(t,6,6.2)'",
      '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=48000:d=10', '-af', 'volume=5.9dB', '-c:v', 'libx264', '-preset', 'superfast',
      '-profile:v', 'main', '-b:v', '300k', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', ...BT709, '-c:a', 'aac', '-ac', '2', '-ar', '48000', full]);
    const src = path.join(tmp, 'synctrim.mp4');
    ffmpeg(['-ss', '3.3', '-i', full, '-c', 'copy', src]);
    assert.ok(Math.abs(Number(probe(src).format.duration) - 6.7) < 0.05);
    for (const args of [[], ['--no-fast-path']]) {
      const res = transcode(src, { args });
      const j = checkOutput(res);
      assert.equal(j.fast_path, false, 'a copy would carry the cut-away seconds');
      assert.ok(Math.abs(j.source_duration - 6.7) < 0.05, `source_duration ${j.source_duration}`);
      assert.ok(Math.abs(j.duration - 6.7) < 0.05, `duration ${j.duration}`);
      const flash = firstBright(path.join(res.outDir, j.renditions[0].mp4));
      assert.ok(Math.abs(flash - 2.7) < 0.05, `white flash at ${flash} s, in the source at 2.7 s`);
    }
  });

  test('2 a short burst far above the cap is encoded, though the average is under it', () => {
    const src = path.join(tmp, 'burst.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=1280x720:r=30:d=14', '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=1',
      '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=48000:d=15', '-filter_complex', '[1]noise=alls=20:allf=t[n];[0][n]concat=n=2:v=1:a=0[v]',
      '-map', '[v]', '-map', '2:a', '-c:v', 'libx264', '-preset', 'superfast', '-profile:v', 'main', '-qp', '34', '-g', '60', '-c:a', 'aac', '-ac', '2', '-ar', '48000', src]);
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.renditions[0].fast_path, false);
    // x264 with maxrate 3 Mb/s and a 6 Mbit buffer: no 2 s segment above 6 Mb/s
    for (const bw of masterBandwidths(res.outDir)) assert.ok(bw <= 6.5e6, `BANDWIDTH ${bw}`);
  });

  test('3 VFR (two dropped frames, headers still say 30 fps) is encoded to constant 30 fps', () => {
    const src = compliant('vfrdrop.mp4', { secs: 10, vf: "select='not(eq(n\\,75)+eq(n\\,225))'", video: ['-fps_mode', 'passthrough'] });
    const res = transcode(src);
    const j = checkOutput(res); // every rendition: avg_frame_rate == r_frame_rate
    assert.equal(j.fast_path, false);
    const v = vstream(probe(path.join(res.outDir, '720p.mp4'), ['-count_frames']));
    assert.ok(Math.abs(Number(v.nb_read_frames) - 300) <= 1, `frames ${v.nb_read_frames}`);
  });

  test('4 a 30.5 fps source never comes out above 30 fps', () => {
    const src = compliant('fps305.mp4', { r: '61/2', video: ['-g', '61', '-keyint_min', '61'] });
    for (const args of [[], ['--no-fast-path']]) {
      const res = transcode(src, { args });
      const j = checkOutput(res);
      assert.equal(j.fast_path, false);
      for (const r of j.renditions) {
        const v = vstream(probe(path.join(res.outDir, r.mp4)));
        assert.ok(rate(v.r_frame_rate) <= 30 && rate(v.avg_frame_rate) <= 30, `${v.r_frame_rate} ${v.avg_frame_rate}`);
      }
    }
  });

  test('5 keyframes 3 s apart are not copied: IDR every 2 s, 2 s segments', () => {
    const src = compliant('gop3.mp4', { secs: 7, video: ['-g', '90', '-keyint_min', '90'] });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.fast_path, false);
    for (const r of j.renditions) {
      for (const g of keyGaps(path.join(res.outDir, r.mp4))) assert.ok(g <= 2 + 1 / 30 + 1e-3, `keyframe gap ${g}`);
      assert.ok(segments(path.join(res.outDir, r.playlist)).target <= 2, 'EXT-X-TARGETDURATION');
    }
  });

  test('5 a copied rendition with 1 s GOPs and an encoded one share every keyframe', () => {
    const src = makeClip('gop1-720.mp4', { size: '1280x720', secs: 5, audio: AUDIO_OK, video: ['-b:v', '1500k',
      '-maxrate', '1500k', '-bufsize', '3M', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', ...BT709] });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.deepEqual(j.renditions.map((r) => r.fast_path), [true, false]);
    const k = j.renditions.map((r) => keyframeTimes(path.join(res.outDir, r.mp4)).map((t) => t.toFixed(2)));
    assert.deepEqual(k[1], k[0]);
  });

  test('6 quiet audio (-36 LUFS) is normalised even when the video is copied', () => {
    // (the gain stops at +20 dB: quieter sources come out quieter than -16)
    const src = compliant('quiet.mp4', { audio: ['-c:a', 'aac', '-ac', '2', '-ar', '48000', '-af', 'volume=-14dB'] });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.fast_path, true);
    assert.equal(j.audio_copied, false);
    const lufs = integratedLoudness(path.join(res.outDir, '720p.mp4'));
    assert.ok(Math.abs(lufs - -16) < 1.5, `integrated loudness ${lufs}`);
  });

  test('6 audio already at -16 LUFS is copied with the video', () => {
    const j = checkOutput(transcode(compliant('loud-ok.mp4')));
    assert.equal(j.fast_path, true);
    assert.equal(j.audio_copied, true);
  });

  for (const [what, video, key, want] of [
    ['BT.601-tagged SD colour', ['-color_primaries', 'smpte170m', '-color_trc', 'smpte170m', '-colorspace', 'smpte170m'], 'color_space', 'bt709'],
    ['interlaced', ['-flags', '+ildct+ilme', '-top', '1'], 'field_order', 'progressive'],
  ]) {
    test(`7 ${what} is not copied`, () => {
      const src = compliant(`c7-${key}.mp4`, { video });
      const res = transcode(src);
      const j = checkOutput(res);
      assert.equal(j.fast_path, false);
      assert.equal(vstream(probe(path.join(res.outDir, '720p.mp4')))[key], want);
    });
  }

  test('8 anamorphic (SAR 4:3) keeps its display aspect 64:27 in square pixels', () => {
    const src = compliant('anamorph.mp4', { secs: 2, vf: 'setsar=4/3' });
    assert.equal(vstream(probe(src)).sample_aspect_ratio, '4:3');
    const res = transcode(src);
    const j = checkOutput(res, { maxW: 854 });
    assert.equal(j.fast_path, false);
    for (const r of j.renditions) {
      const v = vstream(probe(path.join(res.outDir, r.mp4)));
      assert.ok(['1:1', undefined].includes(v.sample_aspect_ratio), `SAR ${v.sample_aspect_ratio}`);
      assert.ok(Math.abs(v.width / v.height / (64 / 27) - 1) < 0.01, `${v.width}x${v.height}`);
      // the picture fills it, stretched to square pixels: not squeezed between black bars
      const left = execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(res.outDir, r.mp4), '-vf',
        'crop=4:ih:0:0,format=gray', '-frames:v', '1', '-f', 'rawvideo', '-']);
      assert.ok(left.reduce((a, b) => a + b, 0) / left.length > 10, `${r.name}: black bars at the left edge`);
    }
  });

  test('10 a small source gets both rungs: 720p copied, a same-size 360p under the 0.7 Mb/s cap', () => {
    const src = compliant('mid360.mp4', { secs: 4, video: ['-b:v', '1500k', '-maxrate', '1500k', '-bufsize', '3M'] });
    const res = transcode(src);
    const j = checkOutput(res);
    assert.deepEqual(j.renditions.map((r) => [r.name, r.width, r.height, r.fast_path]),
      [['720p', 640, 360, true], ['360p', 640, 360, false]]);
    assert.equal(masterBandwidths(res.outDir).length, 2);
    assert.ok(j.renditions[1].avg_bandwidth < 1.0e6, `360p ${j.renditions[1].avg_bandwidth}`);
  });

  test('10 a source already under the low cap is one copy for both rungs', () => {
    const j = checkOutput(transcode(compliant('low360.mp4')));
    assert.deepEqual(j.renditions.map((r) => r.fast_path), [true]);
  });

  test('11 BANDWIDTH is the peak over every segment; no sliver of a last segment', () => {
    const src = makeClip('tail.mp4', { size: '1280x720', secs: 4.4, video: ['-b:v', '3M'] });
    const res = transcode(src);
    const j = checkOutput(res);
    const bws = masterBandwidths(res.outDir);
    j.renditions.forEach((r, i) => {
      const { target, segs } = segments(path.join(res.outDir, r.playlist));
      assert.ok(segs.every((s) => s.d >= 0.5), `segments ${segs.map((s) => s.d)}`);
      assert.ok(segs.every((s) => Math.round(s.d) <= target), `target ${target}`);
      const peak = Math.max(...segs.map((s) => s.bits / s.d));
      assert.ok(bws[i] >= peak, `BANDWIDTH ${bws[i]} below the peak segment ${peak}`);
    });
  });

  test('12 every variant says its frame rate (FRAME-RATE), copied or encoded, 30 or 29.97 fps', () => {
    for (const [name, r, want] of [['fr30.mp4', 30, '30.000'], ['fr2997.mp4', '30000/1001', '29.970']]) {
      const src = makeClip(name, { size: '1280x720', secs: 3, rate: r, video: ['-b:v', '1500k', '-maxrate', '1500k',
        '-bufsize', '3M', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', ...BT709] });
      const res = transcode(src);
      const j = checkOutput(res);
      assert.deepEqual(j.renditions.map((x) => x.fast_path), [true, false], 'one copied and one encoded variant');
      const inf = fs.readFileSync(path.join(res.outDir, 'master.m3u8'), 'utf8').split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
      assert.equal(inf.length, 2);
      for (const l of inf) assert.equal(l.match(/FRAME-RATE=([\d.]+)/)?.[1], want, l);
    }
  });
});

describe('only Main/High within the cap in every second is copied; MP4s declare their real rates', { concurrency: 2 }, () => {
  // 1280x720 within the 3 Mb/s cap on average and in every second: copyable but for the profile
  const hd = (name, video) => makeClip(name, { size: '1280x720', secs: 4, audio: AUDIO_OK, video: ['-b:v', '1500k',
    '-maxrate', '1500k', '-bufsize', '1500k', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', ...BT709, ...video] });

  test('13 Baseline and Constrained Baseline sources are encoded (High), Main and High are copied', () => {
    for (const [profile, want] of [['baseline', false], ['main', true], ['high', true]]) {
      const src = hd(`prof-${profile}.mp4`, ['-profile:v', profile]);
      const v = vstream(probe(src));
      assert.equal(v.profile.toLowerCase().endsWith(profile), true, `source profile ${v.profile}`);
      assert.ok(measuredRates(src).peak <= 3e6, 'the source is within the cap in every second');
      const res = transcode(src);
      const j = checkOutput(res);
      assert.equal(j.renditions[0].fast_path, want, `${profile}: ${JSON.stringify(j.renditions)}`);
      for (const r of j.renditions) {
        const out = vstream(probe(path.join(res.outDir, r.mp4))).profile;
        assert.ok(/^(Main|High)$/.test(out), `${r.name} from ${profile} is ${out}`);
      }
    }
  });

  test('14 one second above the cap is encoded, though the average and every 2 s window would pass', () => {
    // 3 s of flat grey, 1 s of noise at ~4.5 Mb/s, 3 s of grey: the old 2 s rule (cap x 2 s + buffer) let it through
    const src = path.join(tmp, 'peak1s.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=1280x720:r=30:d=3', '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=1',
      '-f', 'lavfi', '-i', 'color=c=gray:s=1280x720:r=30:d=3', '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=48000:d=7',
      '-filter_complex', '[1]noise=alls=12:allf=t[n];[0][n][2]concat=n=3:v=1:a=0,format=yuv420p[v]', '-map', '[v]', '-map', '3:a',
      '-c:v', 'libx264', '-preset', 'superfast', '-profile:v', 'main', '-b:v', '4500k', '-maxrate', '4500k', '-bufsize', '1500k',
      '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', ...BT709, '-c:a', 'aac', '-ac', '2', '-ar', '48000', src]);
    const m = measuredRates(src);
    assert.ok(m.avg < 3e6, `average ${m.avg}`);
    assert.ok(m.peak > 3.3e6, `peak second ${m.peak}`);
    assert.ok(m.peak < 6e6, `peak second ${m.peak}: 2 s windows stay under 12 Mb`);
    const res = transcode(src);
    const j = checkOutput(res);
    assert.equal(j.renditions[0].fast_path, false);
  });

  test('15 btrt and esds state the average and peak second actually written, copied and encoded', () => {
    const src = hd('rates.mp4', ['-profile:v', 'high']);
    const res = transcode(src);
    const j = checkOutput(res);
    assert.deepEqual(j.renditions.map((r) => r.fast_path), [true, false]);
    for (const r of j.renditions) {
      const file = path.join(res.outDir, r.mp4);
      const [video, audio] = declaredRates(file);
      assert.equal(video.type, 'avc1');
      assert.equal(audio.type, 'mp4a');
      for (const [sel, d] of [['v', video.btrt], ['a', audio.btrt], ['a', audio.esds]]) {
        const m = measuredRates(file, sel);
        assert.ok(d, `${r.name} ${sel}: rates declared`);
        assert.ok(Math.abs(d.avg / m.avg - 1) < 0.1, `${r.name} ${sel}: declared average ${d.avg}, written ${m.avg}`);
        assert.ok(d.max >= m.peak && d.max < m.peak * 1.1, `${r.name} ${sel}: declared max ${d.max}, peak second ${m.peak}`);
      }
      // ffprobe's own view of the file as a whole: size x 8 / duration
      const f = probe(file).format;
      assert.ok(Math.abs(Number(f.bit_rate) / (Number(f.size) * 8 / Number(f.duration)) - 1) < 0.1, `format bit_rate ${f.bit_rate}`);
    }
    // the copy declares the source's own rates, the encode stays under its rung's cap
    const srcRates = measuredRates(src);
    assert.ok(Math.abs(declaredRates(path.join(res.outDir, '720p.mp4'))[0].btrt.avg / srcRates.avg - 1) < 0.02);
    assert.ok(declaredRates(path.join(res.outDir, '360p.mp4'))[0].btrt.max <= 0.7e6 + 1.4e6);
  });
});

describe('truncated containers are refused; short claims are harmless', { concurrency: 2 }, () => {
  const rejects = (file) => {
    const res = transcode(file);
    assert.equal(res.status, 1, JSON.stringify(res.json));
    assert.equal(res.json.error, 'the file is truncated or damaged');
    assert.deepEqual(fs.readdirSync(res.outDir), []);
  };
  const half = (src, name) => {
    const f = path.join(tmp, name), b = fs.readFileSync(src);
    fs.writeFileSync(f, b.subarray(0, Math.floor(b.length / 2)));
    return f;
  };

  test('9 WebM (VP9 + Opus) cut to half its size', () => {
    const src = makeClip('t6.webm', { secs: 6, video: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'],
      audio: ['-c:a', 'libopus'] });
    rejects(half(src, 'half.webm'));
  });

  test('9 Matroska (H.264 + AAC) cut to half its size', () => {
    rejects(half(makeClip('t6.mkv', { secs: 6 }), 'half.mkv'));
  });

  test('9 Matroska claiming 2 s while holding 6 s is taken at its timestamps', () => {
    const f = makeClip('claim.mkv', { secs: 6 });
    const b = fs.readFileSync(f);
    const at = b.indexOf(Buffer.from([0x44, 0x89, 0x88])); // Segment Info Duration, 8-byte float (ms)
    assert.ok(at > 0 && Math.abs(b.readDoubleBE(at + 3) - 6000) < 50);
    b.writeDoubleBE(2000, at + 3);
    fs.writeFileSync(f, b);
    assert.ok(Math.abs(Number(probe(f).format.duration) - 2) < 0.1, 'the container claims 2 s');
    const j = checkOutput(transcode(f));
    assert.ok(Math.abs(j.duration - 6) < 0.1 && Math.abs(j.source_duration - 6) < 0.1, `duration ${j.duration}`);
  });
});

describe('edits: any picture or sound edit turns its copy off; a poster time alone keeps it', { concurrency: 1 }, () => {
  // Mean luma of the box [x0,x1) x [y0,y1) (pixels) of `file` at `t` s.
  const meanLuma = (file, t, [x0, y0, x1, y1]) => {
    const px = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-vf',
      `crop=${x1 - x0}:${y1 - y0}:${x0}:${y0},format=gray`, '-f', 'rawvideo', '-']);
    return px.reduce((a, b) => a + b, 0) / px.length;
  };

  test('a black box and a trim encode the video; a mute encodes the audio; a poster time is copied', () => {
    const src = compliant('edits.mp4');
    const box = transcode(src, { args: ['--region', '0,0,0.5,0.5,1,3,box', '--trim', '0.5:3.5'] });
    const j = checkOutput(box);
    assert.equal(j.fast_path, false);
    assert.ok(Math.abs(j.duration - 3) <= 1 / 30 + 1e-3, `trimmed to ${j.duration}`);
    const out = path.join(box.outDir, '720p.mp4');
    assert.ok(meanLuma(out, 1.5, [8, 8, 312, 172]) < 20, 'the box is black while it is on (1-3 s of the input)');
    assert.ok(meanLuma(out, 0.1, [8, 8, 312, 172]) > 40, 'and not before');
    assert.ok(meanLuma(out, 1.5, [328, 8, 632, 172]) > 40, 'the rest of the picture is untouched');

    const muted = checkOutput(transcode(src, { args: ['--mute', '1:2'] }));
    assert.deepEqual([muted.fast_path, muted.audio_copied], [true, false], 'the video is copied, the audio encoded');
    const poster = transcode(src, { args: ['--poster-time', '3.5'] });
    const p = checkOutput(poster);
    assert.deepEqual([p.fast_path, p.audio_copied], [true, true]);
    const plain = transcode(src);
    assert.ok(!fs.readFileSync(path.join(poster.outDir, 'poster.jpg')).equals(fs.readFileSync(path.join(plain.outDir, 'poster.jpg'))),
      'the chosen poster is another frame than the automatic one');
  });

  test('bad edit flags are refused before any work', () => {
    for (const args of [['--region', '0.8,0,0.5,0.5,0,1'], ['--region', '0,0,0,0.5,0,1'], ['--mute', '2:1'], ['--trim', 'x']]) {
      const r = spawnSync(CLI, [...args, 'in.mp4', tmp], { encoding: 'utf8' });
      assert.equal(r.status, 2, args.join(' '));
    }
  });
});
