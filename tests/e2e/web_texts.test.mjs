// The web client's texts: both languages have every key with the same
// {placeholders}, and every key the code asks for by name exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/server.mjs';
import { texts } from '../../web/app/i18n.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// a plural form (`key_one`) belongs to a language that has it: English does, Chinese does not
const PLURAL = /_(zero|one|two|few|many)$/;
const base = (key) => key.replace(PLURAL, '');

test('web texts: Chinese and English have the same keys and placeholders', () => {
  const keys = (table) => Object.keys(table).filter((k) => !PLURAL.test(k)).sort();
  assert.deepEqual(keys(texts.en), keys(texts.zh));
  for (const [key, zh] of Object.entries(texts.zh)) {
    assert.deepEqual(placeholders(texts.en[key]), placeholders(zh), `placeholders of ${key}`);
  }
});

test('web texts: a plural form has a base text with the same placeholders', () => {
  const forms = Object.entries({ ...texts.en, ...texts.zh }).filter(([k]) => PLURAL.test(k));
  assert.ok(forms.length >= 4, 'the client has plural forms');
  for (const [key] of forms) {
    for (const table of [texts.en, texts.zh]) {
      if (!(key in table)) continue;
      assert.ok(base(key) in table, `${key} has its base text`);
      assert.deepEqual(placeholders(table[key]), placeholders(table[base(key)]), `placeholders of ${key}`);
    }
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
