// The UI's texts: Swedish and English have the same keys, every key the code names exists, and
// no component writes text for people outside the translation files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const src = path.join(process.env.VARN_SOURCE_ROOT, 'web', 'src');
const sv = JSON.parse(readFileSync(path.join(src, 'i18n', 'sv.json'), 'utf8'));
const en = JSON.parse(readFileSync(path.join(src, 'i18n', 'en.json'), 'utf8'));

function leaves(tree, prefix = '') {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' ? leaves(value, prefix + key + '.') : [[prefix + key, value]]);
}

function node(tree, key) {
  return key.split('.').reduce((n, part) => (n && typeof n === 'object' ? n[part] : undefined), tree);
}

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(svelte|ts)$/.test(e.name) ? [p] : [];
  });
}
const files = sources(src).map((file) => ({ file: path.relative(src, file), text: readFileSync(file, 'utf8') }));

test('Swedish and English have the same keys, none of them empty', () => {
  const svKeys = leaves(sv).map(([k]) => k).sort();
  const enKeys = leaves(en).map(([k]) => k).sort();
  assert.deepEqual(svKeys.filter((k) => !enKeys.includes(k)), [], 'in sv.json only');
  assert.deepEqual(enKeys.filter((k) => !svKeys.includes(k)), [], 'in en.json only');
  for (const [key, value] of [...leaves(sv), ...leaves(en)]) {
    assert.ok(typeof value === 'string' && value.trim(), `${key} is a non-empty string`);
  }
});

test('the placeholders of each text are the same in both languages', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const [key, value] of leaves(sv)) assert.equal(names(node(en, key)), names(value), key);
});

test('every key the code names exists (a key ending in "." names a group)', () => {
  const top = Object.keys(sv).join('|');
  const literal = new RegExp(`'((?:${top})\\.[A-Za-z0-9_.]*)'`, 'g');
  const missing = [];
  for (const { file, text } of files) {
    for (const [, key] of text.matchAll(literal)) {
      const group = key.endsWith('.');
      const found = node(sv, group ? key.slice(0, -1) : key);
      if (found === undefined || (group && typeof found !== 'object')) missing.push(`${file}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('components write no text for people themselves: it all comes from sv.json and en.json', () => {
  const found = [];
  for (const { file, text } of files.filter((f) => f.file.endsWith('.svelte'))) {
    let markup = text
      .replace(/<script[\s\S]*?<\/script>/g, '')
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<!--[\s\S]*?-->/g, '');
    // Attributes people read or hear must not be literal text.
    for (const m of markup.matchAll(/\s(aria-label|title|placeholder|alt|label)="([^"{]*[A-Za-zÅÄÖåäö][^"]*)"/g)) {
      found.push(`${file}: ${m[1]}="${m[2]}"`);
    }
    // Drop {expressions} (they may nest braces), then tags; what is left is text.
    let out = '';
    let depth = 0;
    for (const c of markup) {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (depth === 0) out += c;
    }
    markup = out.replace(/<[^>]*>/g, ' ');
    for (const word of markup.match(/[A-Za-zÅÄÖåäö]{2,}/g) ?? []) found.push(`${file}: ${word}`);
  }
  assert.deepEqual(found, []);
});
