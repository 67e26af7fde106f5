// Every problem type slug the C sources can answer with: the type argument
// of each http_problem() and cr_refuse() call, and the defaults response.c
// gives a failure code (`*type = "..."`). Read from the source text, so a
// new slug in the code is seen without anyone listing it.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function cFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cFiles(p));
    else if (name.endsWith('.c')) out.push(p);
  }
  return out;
}

/** The top-level arguments of the call whose '(' is at `open` in `text`. */
function callArgs(text, open) {
  const args = [];
  let depth = 0, start = open + 1, inStr = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth === 0) {
        args.push(text.slice(start, i).trim());
        return args;
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return args;
}

/** Map slug -> ["file:line", ...] for every slug in src/. */
export function problemSlugs(repoRoot) {
  const found = new Map();
  const add = (slug, where) => {
    if (!found.has(slug)) found.set(slug, []);
    found.get(slug).push(where);
  };
  for (const file of cFiles(join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const rel = file.slice(repoRoot.length + 1);
    const line = (i) => `${rel}:${text.slice(0, i).split('\n').length}`;
    // the type is the 3rd argument of both: (res, status, type, ...) and (why, code, type, ...)
    for (const m of text.matchAll(/\b(http_problem|cr_refuse)\s*\(/g)) {
      const open = m.index + m[0].length - 1;
      const type = callArgs(text, open)[2];
      // a definition's parameter, a variable passed on, or NULL (the code's default)
      if (!type || /\bchar\b/.test(type) || type === 'type' || type === 'NULL') continue;
      const lit = /^"([^"]*)"$/.exec(type);
      if (!lit) throw new Error(`${line(m.index)}: a problem type that is not a string literal (${type}); the check cannot read it`);
      add(lit[1], line(m.index));
    }
    for (const m of text.matchAll(/\*type\s*=\s*"([^"]+)"/g)) add(m[1], line(m.index));
  }
  return found;
}
