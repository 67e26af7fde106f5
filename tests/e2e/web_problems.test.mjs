// The web client has words for every problem the server can answer with:
// each slug of docs/openapi.yaml's x-problem-types (and each the C sources
// use) maps to a text in Chinese and in English, so no refusal reaches a
// person as the server's English detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/server.mjs';
import { problemSlugs } from './lib/problem_slugs.mjs';
import { texts } from '../../web/app/i18n.js';
import { PROBLEMS } from '../../web/app/problems.js';

const doc = JSON.parse(readFileSync(join(repoRoot, 'build/openapi.json'), 'utf8'));

test('every documented and every used problem slug has a text in both languages', () => {
  const slugs = new Set([...Object.keys(doc['x-problem-types']), ...problemSlugs(repoRoot).keys()]);
  assert.ok(slugs.size > 50, `only ${slugs.size} slugs found`);
  const missing = [];
  for (const slug of slugs) {
    const key = PROBLEMS[slug];
    if (!key) { missing.push(`${slug}: no key`); continue; }
    for (const l of ['zh', 'en']) if (!texts[l][key]) missing.push(`${slug}: ${key} has no ${l} text`);
  }
  assert.deepEqual(missing, []);
});

test('the Chinese texts of problems are Chinese, the English ones English', () => {
  for (const key of new Set(Object.values(PROBLEMS))) {
    assert.match(texts.zh[key], /[\u4e00-\u9fff]/, `${key} in Chinese`);
    assert.doesNotMatch(texts.en[key], /[\u4e00-\u9fff]/, `${key} in English`);
  }
});

test('the map names only documented slugs', () => {
  const described = new Set(Object.keys(doc['x-problem-types']));
  assert.deepEqual(Object.keys(PROBLEMS).filter((s) => !described.has(s)), []);
});
