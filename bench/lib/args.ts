/** `--name value` and `--flag` from argv; unknown flags are an error so a typo never runs the wrong bench. */
export function parseArgs(argv: string[], spec: { numbers?: string[]; flags?: string[]; strings?: string[] }): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const name = a.slice(2);
    if (spec.flags?.includes(name)) {
      out[name] = true;
    } else if (spec.numbers?.includes(name) || spec.strings?.includes(name)) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      if (spec.numbers?.includes(name)) {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${v}`);
        out[name] = n;
      } else {
        out[name] = v;
      }
    } else {
      throw new Error(`unknown option ${a}`);
    }
  }
  return out;
}
