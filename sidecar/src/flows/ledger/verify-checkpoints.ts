import { toInt } from '../../kernel/ints.js';
import { advanceTotals, type BalanceCheckpoint, type Totals } from './balance-checkpoints.js';
import type { Page } from './verify-page-check.js';

export type CheckpointProblem = {
  seq: number;
  account: string;
  problem: 'checkpoint_wrong' | 'checkpoint_missing' | 'checkpoint_unexpected' | 'orphan_checkpoints';
  detail: string;
};

const show = (c: Totals) => `${c.lines} lines, D ${c.debits}, C ${c.credits}`;

/**
 * Checks the balance checkpoints against the lines, page by page in seq order (verify reads the
 * pages anyway): each account's totals are recomputed from its lines, and at every entry the
 * checkpoints the rule (advanceTotals) puts there must be stored exactly, and no other. A wrong
 * checkpoint (totals that are not the lines' sums), a missing one and a forged extra one are each
 * named. `running` starts empty for a full verify; a routine verify starting at a verified seq S
 * seeds each account's totals at S when the account first appears (`seed`).
 */
export class CheckpointAudit {
  first_bad: CheckpointProblem | null = null;
  checked = 0;
  /** Seeded accounts whose totals at the start still lack their debits and credits (only counts were read). */
  private readonly pending = new Set<string>();
  constructor(
    private readonly running: Map<string, Totals> = new Map(),
    /** Line counts at the start (cheap: index only), for accounts first met in a page. */
    private readonly seedCounts?: (codes: string[]) => Promise<Map<string, Totals>>,
    /** Debits and credits at the start, read only for accounts that meet a checkpoint. */
    private readonly seedSums?: (codes: string[]) => Promise<Map<string, Totals>>,
  ) {}

  async page(page: Page, stored: unknown[][]): Promise<void> {
    if (this.first_bad || page.entries.length === 0) return;
    const { lines } = page;
    if (this.seedCounts) {
      const unseen = new Set<string>();
      for (const l of lines) if (!this.running.has(l[1] as string)) unseen.add(l[1] as string);
      if (unseen.size > 0) {
        for (const [code, t] of await this.seedCounts([...unseen])) {
          this.running.set(code, { lines: t.lines, debits: 0, credits: 0 });
          this.pending.add(code);
        }
      }
    }
    // Expected checkpoints of the page, by seq, from its lines (ordered by entry_seq, line_no).
    const expected = new Map<number, BalanceCheckpoint[]>();
    for (let i = 0; i < lines.length; ) {
      const seq = toInt(lines[i]![0]);
      const own: Array<{ account: string; direction: string; amount_minor: number }> = [];
      for (; i < lines.length && toInt(lines[i]![0]) === seq; i++) own.push({ account: lines[i]![1] as string, direction: lines[i]![3] as string, amount_minor: toInt(lines[i]![4]) });
      const cps = advanceTotals(this.running, seq, own);
      if (cps.length > 0) expected.set(seq, cps);
    }
    const got = new Map<number, BalanceCheckpoint[]>();
    for (const r of stored) {
      const seq = toInt(r[1]);
      let list = got.get(seq);
      if (!list) got.set(seq, (list = []));
      list.push({ account_code: r[0] as string, seq, lines: toInt(r[2]), debits: toInt(r[3]), credits: toInt(r[4]) });
    }
    // Accounts seeded with their count only: add their sums at the start to the running totals and to the expected checkpoints.
    const involved = new Set<string>();
    for (const list of [...expected.values(), ...got.values()]) for (const c of list) if (this.pending.has(c.account_code)) involved.add(c.account_code);
    if (involved.size > 0 && this.seedSums) {
      const base = await this.seedSums([...involved]);
      for (const code of involved) {
        const b = base.get(code)!;
        const t = this.running.get(code);
        if (t) {
          t.debits += b.debits;
          t.credits += b.credits;
        }
        for (const list of expected.values()) for (const c of list) if (c.account_code === code) { c.debits += b.debits; c.credits += b.credits; }
        this.pending.delete(code);
      }
    }
    const seqs = [...new Set([...expected.keys(), ...got.keys()])].sort((a, b) => a - b);
    for (const seq of seqs) {
      const want = new Map((expected.get(seq) ?? []).map((c) => [c.account_code, c]));
      const have = new Map((got.get(seq) ?? []).map((c) => [c.account_code, c]));
      for (const code of [...new Set([...want.keys(), ...have.keys()])].sort()) {
        const w = want.get(code);
        const h = have.get(code);
        this.checked++;
        if (w && !h) this.first_bad = { seq, account: code, problem: 'checkpoint_missing', detail: `no checkpoint of ${code} at entry ${seq}; its lines make ${show(w)}` };
        else if (!w && h) this.first_bad = { seq, account: code, problem: 'checkpoint_unexpected', detail: `a checkpoint of ${code} at entry ${seq} that the rule does not put there (${show(h)})` };
        else if (w!.lines !== h!.lines || w!.debits !== h!.debits || w!.credits !== h!.credits) this.first_bad = { seq, account: code, problem: 'checkpoint_wrong', detail: `checkpoint of ${code} at entry ${seq} says ${show(h!)}; its lines make ${show(w!)}` };
        if (this.first_bad) return;
      }
    }
  }
}
