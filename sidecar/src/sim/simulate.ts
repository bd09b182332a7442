import type { Dialect } from '../testing/databases.js';
import { runHistory, type RunResult } from './driver.js';
import type { FaultKind } from './faults.js';
import { generateHistory, type History } from './history.js';

/**
 * One seed: the history with faults, and the same history without, then the comparison. With
 * faults the inbox order differs (duplicates, reordering, late deliveries), so the chain head
 * legitimately differs; what must not differ is the money: where it ended (balances per account,
 * refunds and transfers at Stripe, what hosts still owe counted as settled) equals the fault-free run's.
 */
export type SeedVerdict = { seed: number; ok: boolean; problems: string[]; clean: RunResult; faulty: RunResult | null; ms: number };

export async function checkHistory(history: History, opts: { dialect: Dialect; faults: FaultKind[] }): Promise<SeedVerdict> {
  const t0 = Date.now();
  // the baseline's own reconcile and replay are skipped when the faulty run checks them (half the cost of those checks)
  const clean = await runHistory(history, { dialect: opts.dialect, faults: [], deep: opts.faults.length === 0 });
  const problems = clean.problems.map((p) => `fault-free: ${p}`);
  let faulty: RunResult | null = null;
  if (opts.faults.length > 0) {
    faulty = await runHistory(history, opts);
    problems.push(...faulty.problems.map((p) => `with faults: ${p}`));
    const a = new Set(clean.movements);
    const missing = clean.movements.filter((m) => !faulty!.movements.includes(m));
    const extra = faulty.movements.filter((m) => !a.has(m));
    if (clean.movements.length !== faulty.movements.length || missing.length || extra.length) {
      // (balances, not entries, what hosts still owe counted as settled: see netBalances in invariants.ts, money-ended.ts)
      problems.push(`where the money ended differs from the fault-free run (balances per account, refunds and transfers at Stripe, what hosts still owe counted as settled): missing ${JSON.stringify(missing.slice(0, 3))}; extra ${JSON.stringify(extra.slice(0, 3))}; still owed ${JSON.stringify(clean.owed)} without faults, ${JSON.stringify(faulty.owed)} with`);
    }
  }
  return { seed: history.seed, ok: problems.length === 0, problems, clean, faulty, ms: Date.now() - t0 };
}

export async function checkSeed(seed: number, opts: { dialect: Dialect; faults: FaultKind[] }): Promise<SeedVerdict> {
  return checkHistory(generateHistory(seed), opts);
}

/**
 * Shrinks a failing history: drops one step at a time (never the first host) while the check still
 * fails, until no single step can go. Returns the shortest failing history found.
 */
export async function shrinkHistory(history: History, stillFails: (h: History) => Promise<boolean>, budget = 40): Promise<History> {
  let current = history;
  let tries = 0;
  let progress = true;
  while (progress && tries < budget) {
    progress = false;
    // never to nothing (a history without steps has no time to settle at)
    for (let i = current.steps.length - 1; i >= 0 && tries < budget && current.steps.length > 1; i--) {
      const candidate = { seed: current.seed, steps: current.steps.filter((_, k) => k !== i) };
      tries++;
      if (await stillFails(candidate)) {
        current = candidate;
        progress = true;
      }
    }
  }
  return current;
}

/**
 * A problem with its ids and numbers blanked. Shrinking keeps a shorter history only if it fails the
 * same way: dropping a host's first step otherwise "still fails" for another reason — a
 * subscription of a host that was never connected is never posted, even without faults — and the
 * printed history was one the generator never makes (seeds 94, 2024 shrank to a lone subscribe).
 */
export function problemKind(problem: string): string {
  return problem.replace(/\S*\d\S*/g, '#').slice(0, 100);
}

export function failsTheSameWay(original: string[], candidate: string[]): boolean {
  const kinds = new Set(original.map(problemKind));
  return candidate.some((p) => kinds.has(problemKind(p)));
}

export function reproduceCommand(seed: number, faults: FaultKind[], dialect: Dialect): string {
  return `npm run simulate -- --seed ${seed} --faults ${faults.length ? faults.join(',') : 'none'} --dialect ${dialect}`;
}
