// Makes the golden event log (fixtures/golden/events.jsonl): a story played through a real sidecar
// and the Stripe fake — bookings confirmed and paid, guest and host cancellations with refunds,
// check-ins, payouts released by clock ticks, completions with loyalty credits, a parked payment
// and a dead letter — then the inbox dumped in order. Run once; the log is committed data.
//   node --import tsx scripts/golden/make-log.ts
import { writeFileSync } from 'node:fs';
import { startHarness } from '../../sidecar/src/testing/harness.js';
import { cancelRequested, checkedIn, completed, confirmed, hostConnected, tick, total } from '../../sidecar/src/testing/events.js';

const h = await startHarness('sqlite', { stripe: true });
const fake = h.fake!;
const ok = async (e: unknown) => {
  const r = await h.engine.event(e as never);
  if (r.status !== 202 && r.status !== 200) throw new Error(`${r.status} ${r.text}`);
};
await ok(hostConnected('host_1', 'acct_1GoldenHost1', '2026-09-01T08:00:00Z'));
await ok(hostConnected('host_2', 'acct_1GoldenHost2', '2026-09-01T08:00:01Z'));
const policies = ['flexible', 'moderate', 'strict'];
const ids: string[] = [];
for (let i = 1; i <= 24; i++) {
  const id = `bk_gold_${i}`;
  ids.push(id);
  const c = confirmed(`2026-09-01T${String(9 + (i % 10)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00Z`, {
    booking_id: id, payment_intent_id: 'pi_placeholder', guest_id: `guest_${i % 5}`, host_id: `host_${1 + (i % 2)}`,
    cancellation_policy: policies[i % 3]!, check_in: `2026-10-${String(1 + (i % 20)).padStart(2, '0')}`, check_out: `2026-10-${String(4 + (i % 20)).padStart(2, '0')}`,
    nightly_total: 20000 + i * 1111, cleaning_fee: 3000 + i * 7, guest_service_fee: 2500 + i * 13, taxes: 1500 + i * 3,
  });
  if (i !== 24) c.data.payment_intent_id = fake.createPayment({ amount: total(c.data), currency: 'usd', metadata: { booking_id: id } }).id;
  else c.data.payment_intent_id = 'pi_gold_never_paid';
  await ok(c);
}
fake.createPayment({ amount: 999, currency: 'usd', metadata: { booking_id: 'bk_gold_unknown' } }); // parked forever
await h.settle();
// Cancellations: guests (every fourth) and a host (the sixth), each with the consent of the preview.
for (const [i, by] of [[4, 'guest'], [8, 'guest'], [12, 'guest'], [6, 'host'], [16, 'guest'], [20, 'guest']] as Array<[number, 'guest' | 'host']>) {
  const at = `2026-09-${String(10 + (i % 15)).padStart(2, '0')}T08:00:00Z`;
  const p = await h.reader.get(`/preview/outcome?action=cancel&booking_id=bk_gold_${i}&by=${by}&at=${at}`);
  if (p.status !== 200) throw new Error(p.text);
  await ok(cancelRequested(`bk_gold_${i}`, by, p.body.outcome_hash, at, by === 'guest' ? `guest_${i % 5}` : `host_${1 + (i % 2)}`));
}
await ok(cancelRequested('bk_gold_24', 'guest', 'sha256:' + '0'.repeat(64), '2026-09-20T08:00:00Z', 'guest_4')); // consent to another outcome: refused
await h.settle();
for (const i of [1, 2, 3, 5, 7, 9, 10, 11]) await ok(checkedIn(`bk_gold_${i}`, `2026-10-${String(1 + (i % 20)).padStart(2, '0')}T16:00:00Z`));
await h.settle();
for (const day of ['2026-10-06', '2026-10-12', '2026-10-20', '2026-10-30']) {
  await ok(tick(`${day}T13:00:00Z`));
  await h.settle();
}
for (const i of [1, 2, 3, 5, 7]) await ok(completed(`bk_gold_${i}`, `2026-10-${String(4 + (i % 20)).padStart(2, '0')}T11:00:00Z`));
await ok(completed('bk_gold_unknown_stay', '2026-10-30T11:00:00Z')); // parked: never confirmed
await h.settle();
await ok(tick('2027-12-31T00:00:00Z')); // credits expire, remaining payouts
await h.settle();
await h.sidecar.outbox?.stop();
await h.sidecar.dispatcher.stop();
const rows = await h.sidecar.db('inbox_events').orderBy('id');
writeFileSync(new URL('../../fixtures/golden/events.jsonl', import.meta.url), rows.map((r: Record<string, unknown>) => JSON.stringify(r)).join('\n') + '\n');
const head = await h.sidecar.db('journal_entries').orderBy('seq', 'desc').first('seq', 'entry_hash');
console.log(JSON.stringify({ events: rows.length, head }));
await h.stop();
