// Test media made with the ffmpeg CLI (kept between runs: lib/ffmpeg.mjs),
// and ffprobe as a judge.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpeg } from './ffmpeg.mjs';

const dir = mkdtempSync(join(tmpdir(), 'casereel-media-'));

/** Generates a clip with lavfi; `video` and `audio` are lavfi sources. */
export function makeClip(name, { seconds = 3, size = '720x1280', rate = 30, audio = true, args = [] } = {}) {
  const out = join(dir, name);
  const inputs = ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
  if (audio) inputs.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`);
  // superfast, not ultrafast: CABAC, so High profile as phones record (the
  // transcoder copies no Baseline source)
  ffmpeg([...inputs, '-c:v', 'libx264', '-preset', 'superfast',
    '-pix_fmt', 'yuv420p', ...(audio ? ['-c:a', 'aac', '-shortest'] : []), ...args, out]);
  return out;
}

/** ffprobe's JSON for a file: streams and format. */
export function probe(path) {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json',
    '-show_streams', '-show_format', path]).toString());
}

export const mediaDir = dir;
