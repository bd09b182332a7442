import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RECONCILIATION_CATCH_UP_DAYS, reconciliationDaysDue } from './reconciliation-clock.js';

const days = (xs: Array<{ day: string }>) => xs.map((x) => x.day);

test('the first tick of a day asks for the day before; later ticks of that day ask for nothing', () => {
  assert.deepEqual(days(reconciliationDaysDue('2026-11-21T00:05:00Z', (d) => d === '2026-11-19')), ['2026-11-20']);
  assert.deepEqual(days(reconciliationDaysDue('2026-11-21T06:05:00Z', (d) => d <= '2026-11-20')), []);
  // the first tick ever: the day before only
  assert.deepEqual(days(reconciliationDaysDue('2026-11-21T00:05:00Z', () => false)), ['2026-11-20']);
});

test('a tick after days without ticks asks for every missed day, oldest first, with its UTC period', () => {
  const due = reconciliationDaysDue('2026-11-25T09:00:00Z', (d) => d <= '2026-11-20');
  assert.deepEqual(days(due), ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
  assert.deepEqual(due[0], { day: '2026-11-21', from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z' });
  // across a month end
  assert.deepEqual(days(reconciliationDaysDue('2026-12-02T00:00:01Z', (d) => d <= '2026-11-28')), ['2026-11-29', '2026-11-30', '2026-12-01']);
});

test('property: ticks in any order, repeated, ask for each day at most once; in time order, every day from the first tick\'s day before to the last\'s', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 * 86_400 }), { minLength: 1, maxLength: 25 }), (offsets) => {
    const asked = new Set<string>();
    const base = Date.parse('2026-10-01T00:00:00Z');
    const shuffled = offsets.map((s) => new Date(base + s * 1000).toISOString().replace('.000Z', 'Z'));
    const once = new Set<string>();
    for (const t of [...shuffled, ...shuffled]) {
      for (const d of reconciliationDaysDue(t, (x) => once.has(x))) {
        assert.ok(!once.has(d.day), `${d.day} asked twice`);
        once.add(d.day);
      }
    }
    // the engine's clock: in time order (a tick repeated)
    const ticks = [...shuffled].sort().flatMap((t) => [t, t]);
    for (const t of ticks) for (const d of reconciliationDaysDue(t, (x) => asked.has(x))) asked.add(d.day);
    // every day from the first tick's day before to the latest tick's day before (no gap longer than the window here)
    const first = [...asked].sort()[0]!;
    const latest = new Date(Math.floor(Math.max(...ticks.map((t) => Date.parse(t))) / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
    for (let d = Date.parse(first); d <= Date.parse(latest); d += 86_400_000) assert.ok(asked.has(new Date(d).toISOString().slice(0, 10)));
  }));
});

test(`a clock off for longer than ${RECONCILIATION_CATCH_UP_DAYS} days: the day before only (the rest on request)`, () => {
  assert.deepEqual(days(reconciliationDaysDue('2026-11-25T09:00:00Z', (d) => d <= '2026-09-01')), ['2026-11-24']);
});
