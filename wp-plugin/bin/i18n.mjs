#!/usr/bin/env node
// wp-plugin/bin/i18n.mjs - the plugin's translation files, without wp-cli (not available offline).
//   node wp-plugin/bin/i18n.mjs pot       extract every string of the text domain from the plugin's
//                                         PHP, the blocks' TypeScript and block.json into
//                                         wp-plugin/languages/mybnb-payments.pot
//   node wp-plugin/bin/i18n.mjs compile   every languages/mybnb-payments-<locale>.po into its .mo
//                                         and, for each built block script, the JSON WordPress loads
//                                         with wp_set_script_translations (needs wp-plugin/build)
//   node wp-plugin/bin/i18n.mjs check     fails when the .pot is stale or a .po misses a msgid
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DOMAIN = 'mybnb-payments';
const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = join(PLUGIN, '..');
const LANG = join(PLUGIN, 'languages');
const POT = join(LANG, `${DOMAIN}.pot`);

function walk(dir, test, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'build' || name === 'tests') continue;
    if (statSync(p).isDirectory()) walk(p, test, out);
    else if (test(name)) out.push(p);
  }
  return out;
}

// ------------------------------------------------------------------ extraction
const LIT = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const SEP = String.raw`\s*,\s*`;
function unquote(lit) {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === "'") return body.replace(/\\(['\\])/g, '$1');
  return body.replace(/\\(["\\$])/g, '$1').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
}
// name => argument shape: s singular, p plural, c context, n number (skipped), d domain
const FUNCS = {
  __: 'sd', _e: 'sd', esc_html__: 'sd', esc_html_e: 'sd', esc_attr__: 'sd', esc_attr_e: 'sd',
  _x: 'scd', _ex: 'scd', esc_html_x: 'scd', esc_attr_x: 'scd', _n: 'spnd', _nx: 'spncd',
};
function callRegex() {
  const names = Object.keys(FUNCS).sort((a, b) => b.length - a.length).join('|');
  return new RegExp(String.raw`(?<![\w$>:])(${names})\(\s*(${LIT})(?:${SEP}(${LIT}))?(?:${SEP}([^,()]+?))?(?:${SEP}(${LIT}))?(?:${SEP}(${LIT}))?\s*\)`, 'g');
}

/** @type {Map<string, {msgctxt?: string, msgid: string, plural?: string, refs: Set<string>, comments: Set<string>}>} */
const entries = new Map();
function add(e, ref, comment) {
  const key = (e.msgctxt ? e.msgctxt + '\u0004' : '') + e.msgid;
  const have = entries.get(key) ?? { ...e, refs: new Set(), comments: new Set() };
  have.refs.add(ref);
  if (comment) have.comments.add(comment);
  if (e.plural) have.plural = e.plural;
  entries.set(key, have);
}

function extractSource(file) {
  const text = readFileSync(file, 'utf8');
  const rel = relative(REPO, file);
  for (const m of text.matchAll(callRegex())) {
    const shape = FUNCS[m[1]];
    const args = [m[2], m[3], m[4], m[5], m[6]].filter((a) => a !== undefined).map((a) => a.trim());
    const lits = args.filter((a) => /^['"]/.test(a)).map(unquote);
    let e;
    if (shape === 'sd') e = { msgid: lits[0], domain: lits[1] };
    else if (shape === 'scd') e = { msgid: lits[0], msgctxt: lits[1], domain: lits[2] };
    else if (shape === 'spnd') e = { msgid: lits[0], plural: lits[1], domain: lits[2] };
    else e = { msgid: lits[0], plural: lits[1], msgctxt: lits[2], domain: lits[3] };
    if (e.domain !== DOMAIN || !e.msgid) continue;
    delete e.domain;
    const line = text.slice(0, m.index).split('\n').length;
    // The translators' comment: the closest one in the three lines above the call.
    const before = text.slice(0, m.index).split('\n').slice(-4).join('\n');
    const c = [...before.matchAll(/\/\*\s*translators:\s*([\s\S]*?)\s*\*\//g)].pop();
    add(e, `${rel}:${line}`, c ? `translators: ${c[1].replace(/\s+/g, ' ')}` : '');
  }
}

function extractBlockJson(file) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const rel = relative(REPO, file);
  if (json.textdomain !== DOMAIN) return;
  if (json.title) add({ msgctxt: 'block title', msgid: json.title }, rel);
  if (json.description) add({ msgctxt: 'block description', msgid: json.description }, rel);
  for (const k of json.keywords ?? []) add({ msgctxt: 'block keyword', msgid: k }, rel);
}

function extractAll() {
  entries.clear();
  add({ msgid: 'MyBnB Payments' }, 'wp-plugin/mybnb-payments.php', 'Plugin Name of the plugin');
  const header = readFileSync(join(PLUGIN, 'mybnb-payments.php'), 'utf8').match(/Description:\s*(.+)/);
  if (header) add({ msgid: header[1].trim() }, 'wp-plugin/mybnb-payments.php', 'Description of the plugin');
  for (const f of [join(PLUGIN, 'mybnb-payments.php'), ...walk(join(PLUGIN, 'src'), (n) => n.endsWith('.php'))]) extractSource(f);
  for (const f of walk(join(REPO, 'blocks', 'src'), (n) => /\.(ts|tsx)$/.test(n) && !n.endsWith('.d.ts'))) extractSource(f);
  for (const f of walk(join(REPO, 'blocks', 'src'), (n) => n === 'block.json')) extractBlockJson(f);
  return [...entries.values()].sort((a, b) => (a.msgctxt ?? '').localeCompare(b.msgctxt ?? '') || a.msgid.localeCompare(b.msgid));
}

// ------------------------------------------------------------------ .po / .pot text
function q(s) {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}
function potText(list) {
  const head = [
    '# Copyright (C) MyBnB',
    '# This file is distributed under the GPL-2.0-or-later.',
    'msgid ""',
    'msgstr ""',
    q('Project-Id-Version: MyBnB Payments\n'),
    q('MIME-Version: 1.0\n'),
    q('Content-Type: text/plain; charset=UTF-8\n'),
    q('Content-Transfer-Encoding: 8bit\n'),
    q('X-Generator: wp-plugin/bin/i18n.mjs\n'),
    q(`X-Domain: ${DOMAIN}\n`),
    '',
  ];
  const body = list.map((e) => [
    ...[...e.comments].map((c) => `#. ${c}`),
    `#: ${[...e.refs].join(' ')}`,
    ...(e.msgid.includes('%') ? ['#, php-format'] : []),
    ...(e.msgctxt ? [`msgctxt ${q(e.msgctxt)}`] : []),
    `msgid ${q(e.msgid)}`,
    ...(e.plural ? [`msgid_plural ${q(e.plural)}`, 'msgstr[0] ""', 'msgstr[1] ""'] : ['msgstr ""']),
    '',
  ].join('\n'));
  return head.join('\n') + '\n' + body.join('\n');
}

function parsePo(text) {
  const out = [];
  let cur = null;
  let field = null;
  const str = (s) => JSON.parse(s.replace(/\\t/g, '\\t'));
  const flush = () => { if (cur && cur.msgid !== undefined) out.push(cur); };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' ) { flush(); cur = null; field = null; continue; }
    if (line.startsWith('#')) continue;
    const m = line.match(/^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$/);
    if (m) {
      if (m[1] === 'msgctxt' || (m[1] === 'msgid' && cur && cur.msgid !== undefined && cur.msgctxt === undefined && field !== 'msgctxt')) {
        if (m[1] === 'msgctxt' || cur.msgstr) { flush(); cur = {}; }
      }
      cur ??= {};
      if (m[1].startsWith('msgstr[')) { cur.msgstr ??= []; field = `msgstr${m[2]}`; cur.msgstr[Number(m[2])] = str(m[3]); }
      else if (m[1] === 'msgstr') { field = 'msgstr'; cur.msgstr = [str(m[3])]; }
      else { field = m[1]; cur[m[1]] = str(m[3]); }
      continue;
    }
    if (line.startsWith('"') && cur && field) {
      const v = str(line);
      if (field.startsWith('msgstr')) { const i = field === 'msgstr' ? 0 : Number(field.slice(6)); cur.msgstr[i] += v; }
      else cur[field] += v;
    }
  }
  flush();
  return out;
}

// ------------------------------------------------------------------ .mo writer (GNU gettext format, little endian)
function moBuffer(entries) {
  const items = entries
    .map((e) => ({
      key: (e.msgctxt !== undefined ? e.msgctxt + '\u0004' : '') + e.msgid + (e.msgid_plural !== undefined ? '\u0000' + e.msgid_plural : ''),
      value: (e.msgstr ?? []).join('\u0000'),
    }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const n = items.length;
  const headerSize = 28;
  const origTable = headerSize;
  const transTable = origTable + n * 8;
  let offset = transTable + n * 8;
  const keys = items.map((i) => Buffer.from(i.key, 'utf8'));
  const values = items.map((i) => Buffer.from(i.value, 'utf8'));
  const table = Buffer.alloc(n * 16);
  const strings = [];
  keys.forEach((k, i) => { table.writeUInt32LE(k.length, i * 8); table.writeUInt32LE(offset, i * 8 + 4); strings.push(k, Buffer.from([0])); offset += k.length + 1; });
  values.forEach((v, i) => { table.writeUInt32LE(v.length, n * 8 + i * 8); table.writeUInt32LE(offset, n * 8 + i * 8 + 4); strings.push(v, Buffer.from([0])); offset += v.length + 1; });
  const header = Buffer.alloc(headerSize);
  header.writeUInt32LE(0x950412de, 0);
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(n, 8);
  header.writeUInt32LE(origTable, 12);
  header.writeUInt32LE(transTable, 16);
  header.writeUInt32LE(0, 20);
  header.writeUInt32LE(offset, 24);
  return Buffer.concat([header, table, ...strings]);
}

// ------------------------------------------------------------------ commands
function pot() {
  const list = extractAll();
  writeFileSync(POT, potText(list));
  console.log(`${relative(REPO, POT)}: ${list.length} strings`);
  return list;
}

function poFiles() {
  return existsSync(LANG) ? readdirSync(LANG).filter((f) => f.startsWith(`${DOMAIN}-`) && f.endsWith('.po')) : [];
}

function compile() {
  const build = join(PLUGIN, 'build');
  const scripts = walk(build, (n) => n.endsWith('.js'));
  for (const file of poFiles()) {
    const locale = file.slice(DOMAIN.length + 1, -3);
    const all = parsePo(readFileSync(join(LANG, file), 'utf8'));
    const header = all.find((e) => e.msgid === '' && e.msgctxt === undefined);
    const translated = all.filter((e) => e.msgid !== '' && (e.msgstr ?? []).every((s) => s !== ''));
    writeFileSync(join(LANG, `${DOMAIN}-${locale}.mo`), moBuffer([...(header ? [header] : []), ...translated]));
    const plural = (header?.msgstr?.[0] ?? '').match(/Plural-Forms:\s*([^\n]+)/)?.[1] ?? 'nplurals=2; plural=n != 1;';
    let jsons = 0;
    for (const script of scripts) {
      const code = readFileSync(script, 'utf8');
      const used = translated.filter((e) => e.msgctxt === undefined && (code.includes(JSON.stringify(e.msgid)) || code.includes(`'${e.msgid.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)));
      if (used.length === 0) continue;
      const rel = relative(PLUGIN, script).split('\\').join('/');
      const messages = { '': { domain: 'messages', lang: locale, 'plural-forms': plural } };
      for (const e of used) messages[e.msgid] = e.msgstr;
      const json = { 'translation-revision-date': '2026-12-01 00:00+0000', generator: 'wp-plugin/bin/i18n.mjs', domain: 'messages', locale_data: { messages }, source: rel };
      writeFileSync(join(LANG, `${DOMAIN}-${locale}-${createHash('md5').update(rel).digest('hex')}.json`), JSON.stringify(json) + '\n');
      jsons++;
    }
    console.log(`${file}: ${translated.length} translated -> .mo, ${jsons} script JSON files`);
  }
}

function check() {
  const list = extractAll();
  const fresh = potText(list);
  let ok = true;
  if (!existsSync(POT) || readFileSync(POT, 'utf8') !== fresh) { console.error(`${relative(REPO, POT)} is stale: run node wp-plugin/bin/i18n.mjs pot`); ok = false; }
  for (const file of poFiles()) {
    const have = new Map(parsePo(readFileSync(join(LANG, file), 'utf8')).map((e) => [(e.msgctxt !== undefined ? e.msgctxt + '\u0004' : '') + e.msgid, e]));
    for (const e of list) {
      const t = have.get((e.msgctxt ? e.msgctxt + '\u0004' : '') + e.msgid);
      if (!t || !(t.msgstr ?? []).length || (t.msgstr ?? []).some((s) => s === '')) { console.error(`${file}: missing ${JSON.stringify(e.msgid)}`); ok = false; }
    }
  }
  if (!ok) process.exit(1);
  console.log(`i18n: ${list.length} strings, pot fresh, every .po complete`);
}

const cmd = process.argv[2];
if (cmd === 'pot') pot();
else if (cmd === 'compile') compile();
else if (cmd === 'check') check();
else { console.error('usage: i18n.mjs pot|compile|check'); process.exit(2); }
