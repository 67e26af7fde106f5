// The web client's texts: both languages have every key with the same
// {placeholders}, and every key the code asks for by name exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/server.mjs';
import { texts } from '../../web/app/i18n.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('web texts: Chinese and English have the same keys and placeholders', () => {
  assert.deepEqual(Object.keys(texts.en).sort(), Object.keys(texts.zh).sort());
  for (const [key, zh] of Object.entries(texts.zh)) {
    assert.deepEqual(placeholders(texts.en[key]), placeholders(zh), `placeholders of ${key}`);
  }
});

test('web texts: every key the client names literally exists', () => {
  const dir = join(repoRoot, 'web/app');
  const missing = [];
  let checked = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(join(dir, file), 'utf8');
    // t('key'), and the tables that map problem types and codes to keys ('too-large': 'err_tooLarge')
    const named = [...src.matchAll(/\bt\(\s*'([\w-]+)'/g), ...src.matchAll(/'((?:err|vErr|field)_\w+)'/g)].map((m) => m[1]);
    checked += named.length;
    for (const key of named) if (!(key in texts.zh)) missing.push(`${file}: ${key}`);
  }
  assert.ok(checked > 100, `only ${checked} keys found: the patterns no longer match the code`);
  assert.deepEqual(missing, []);
});
