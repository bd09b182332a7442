import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the text between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` in a
 * markdown file, leaving every other section (other benches own them) as it was. If the markers are
 * missing, they are added under the heading `heading` (appended when the heading is missing too).
 */
export function rewriteSection(file: string, name: string, heading: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const s = text.indexOf(start);
  const e = text.indexOf(end);
  let next: string;
  if (s !== -1 && e > s) {
    next = text.slice(0, s) + block + text.slice(e + end.length);
  } else {
    const h = text.indexOf(`\n${heading}\n`);
    if (h !== -1) {
      const at = h + heading.length + 2;
      next = `${text.slice(0, at)}\n${block}\n${text.slice(at)}`;
    } else {
      next = `${text.trimEnd()}\n\n${heading}\n\n${block}\n`;
    }
  }
  writeFileSync(file, next);
}
