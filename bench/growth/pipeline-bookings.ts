/**
 * The bookings the growth bench previews: confirmed and paid through the real pipeline (signed
 * events into a sidecar on the bench's database, Stripe's fake answering), before the history is
 * grown, so a preview reads what production would: the booking's facts, its pinned policies and
 * its journal entries among the history's.
 */
import pino from 'pino';
import type { Dialect, TestDatabase } from '../../sidecar/src/testing/databases.js';
import { startHarness } from '../../sidecar/src/testing/harness.js';
import { confirmed, hostConnected, total } from '../../sidecar/src/testing/events.js';

const COUNT = 5;
/** A moment before check-in (the events' default check-in is 2026-10-10). */
export const PREVIEW_AT = '2026-10-01T12:00:00Z';

/** Seeds COUNT paid bookings of `host_real`; returns the one to preview. */
export async function seedPipelineBookings(dialect: Dialect, t: TestDatabase): Promise<string> {
  const h = await startHarness(dialect, { stripe: true, t, logger: pino({ level: 'silent' }) });
  try {
    const r0 = await h.engine.event(hostConnected('host_real', 'acct_1GrowthBench', '2026-08-01T09:00:00Z'));
    if (r0.status !== 202) throw new Error(`host.connected: ${r0.status} ${r0.text}`);
    for (let i = 0; i < COUNT; i++) {
      const booking_id = `bk_real_${i}`;
      const ev = confirmed(`2026-09-0${1 + i}T10:00:00Z`, { booking_id, host_id: 'host_real', payment_intent_id: 'pi_placeholder' });
      ev.data.payment_intent_id = h.fake!.createPayment({ amount: total(ev.data), currency: 'usd', metadata: { booking_id } }).id;
      const r = await h.engine.event(ev);
      if (r.status !== 202) throw new Error(`booking.confirmed: ${r.status} ${r.text}`);
    }
    await h.settle();
    const view = await h.reader.get('/bookings/bk_real_0');
    if (view.status !== 200 || view.body.state !== 'paid') throw new Error(`bk_real_0 is not paid: ${view.status} ${view.text}`);
  } finally {
    await h.stop();
  }
  return 'bk_real_0';
}
