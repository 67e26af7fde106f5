// The ffmpeg CLI making test media, with the files it makes from lavfi
// alone kept in build/test-media: the same arguments (and the same ffmpeg)
// make the same file, so the suite's second run (the ASan stage of CI, a
// re-run while working) copies it instead of encoding it again. Set
// CASEREEL_MEDIA_CACHE=0 to encode everything afresh.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { extname, join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../build/test-media');
const cacheOn = process.env.CASEREEL_MEDIA_CACHE !== '0';
let version = null;

/** Runs `ffmpeg -y args...`, whose last argument is the file it writes;
 *  throws with ffmpeg's message when it fails. */
export function ffmpeg(args) {
  const out = args[args.length - 1];
  const key = cacheOn && cacheKey(args);
  const cached = key && join(cacheDir, key + extname(out));
  if (cached && existsSync(cached)) {
    copyFileSync(cached, out);
    return;
  }
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  if (cached) {
    // a file of its own first, so a concurrent test file never copies half of one
    mkdirSync(cacheDir, { recursive: true });
    const part = `${cached}.${process.pid}.part`;
    copyFileSync(out, part);
    renameSync(part, cached);
  }
}

/** A name for what `args` make, or null when an input is a file (whose
 *  content the arguments do not pin down). */
function cacheKey(args) {
  for (let i = 0; i < args.length - 1; i++)
    if (args[i] === '-i' && args[i - 1] !== 'lavfi') return null;
  version ??= spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  return createHash('sha256').update(JSON.stringify([version, args.slice(0, -1)])).digest('hex').slice(0, 32);
}
