/**
 * A small YAML reader for the subset docker-compose.yml is written in (no YAML package in the root
 * install): block maps and lists by indentation, `- key: value` list items, flow lists of scalars,
 * `{}`, literal block scalars (`|`, without blank lines), double-quoted and plain scalars, comments.
 * Anything else throws,
 * so the compose file cannot drift into syntax this reader would misread.
 */
export type Yaml = string | Yaml[] | { [key: string]: Yaml };

type Line = { indent: number; text: string; n: number };

function stripComment(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (c === '#' && !quoted && (i === 0 || text[i - 1] === ' ')) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

function scalar(raw: string, n: number): Yaml {
  const text = raw.trim();
  if (text === '{}') return {};
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new Error(`line ${n}: unclosed flow list`);
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    const items: string[] = [];
    const re = /\s*("(?:[^"\\]|\\.)*"|[^,]+)\s*(,|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(inner)) !== null && m[0] !== '') items.push(m[1] ?? '');
    return items.map((item) => scalar(item, n));
  }
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new Error(`line ${n}: bad double-quoted string`);
    return JSON.parse(text) as string;
  }
  if (/^[&*!'>{]/.test(text)) throw new Error(`line ${n}: unsupported YAML syntax: ${text}`);
  return text;
}

function parseBlock(lines: Line[], start: number, indent: number): [Yaml, number] {
  const first = lines[start];
  if (!first) return [{}, start];
  if (first.text.startsWith('- ') || first.text === '-') return parseList(lines, start, indent);
  return parseMap(lines, start, indent);
}

function parseValue(lines: Line[], i: number, rest: string, indent: number, n: number): [Yaml, number] {
  if (rest === '|') {
    const out: string[] = [];
    let j = i;
    const next = lines[j];
    const blockIndent = next && next.indent > indent ? next.indent : indent + 2;
    while (j < lines.length && lines[j]!.indent >= blockIndent) {
      out.push(' '.repeat(lines[j]!.indent - blockIndent) + lines[j]!.text);
      j++;
    }
    return [out.join('\n') + '\n', j];
  }
  if (rest !== '') return [scalar(rest, n), i];
  const next = lines[i];
  if (!next || next.indent <= indent) {
    // `key:` followed by a list at the same indent is allowed in YAML.
    if (next && next.indent === indent && next.text.startsWith('- ')) return parseList(lines, i, indent);
    return ['', i];
  }
  return parseBlock(lines, i, next.indent);
}

function parseMap(lines: Line[], start: number, indent: number): [Yaml, number] {
  const map: { [key: string]: Yaml } = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.text.startsWith('- ')) {
    const line = lines[i]!;
    const m = /^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.\-/]+):(?:\s+(.*))?$/.exec(line.text);
    if (!m) throw new Error(`line ${line.n}: expected "key: value", got: ${line.text}`);
    const key = m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!;
    if (key in map) throw new Error(`line ${line.n}: duplicate key ${key}`);
    const [value, next] = parseValue(lines, i + 1, stripComment(m[2] ?? ''), indent, line.n);
    map[key] = value;
    i = next;
  }
  if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.n}: unexpected indentation`);
  return [map, i];
}

function parseList(lines: Line[], start: number, indent: number): [Yaml, number] {
  const list: Yaml[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
    const line = lines[i]!;
    const rest = line.text.slice(2).trim();
    if (/^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.\-/]+):(\s|$)/.test(rest)) {
      // `- key: value` opens a map whose keys sit two columns further in.
      const inner: Line[] = [{ indent: indent + 2, text: rest, n: line.n }];
      let j = i + 1;
      while (j < lines.length && lines[j]!.indent > indent) inner.push(lines[j++]!);
      const [map] = parseMap(inner, 0, indent + 2);
      list.push(map);
      i = j;
    } else {
      list.push(scalar(rest, line.n));
      i++;
    }
  }
  return [list, i];
}

export function parseYaml(source: string): Yaml {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    const lead = raw.match(/^\s*/)?.[0] ?? '';
    if (lead.includes('\t')) throw new Error(`line ${index + 1}: tab indentation`);
    const text = raw.trim();
    // Blank and comment lines carry nothing (so: no blank lines inside block scalars here).
    if (text === '' || text.startsWith('#')) return;
    lines.push({ indent: lead.length, text, n: index + 1 });
  });
  const [value, end] = parseBlock(lines, 0, lines[0]?.indent ?? 0);
  if (end !== lines.length) throw new Error(`line ${lines[end]!.n}: could not parse from here`);
  return value;
}
