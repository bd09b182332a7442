/**
 * The growth bench's ledger: a marketplace's history, one entry a minute. Booking b (host b mod
 * HOSTS) is paid at entry 2b (the guest's money lands on the hot platform account, split between the
 * booking's host share and the platform's fee revenue) and paid out at entry 2b + 1 (host share →
 * hot account). So every entry touches the hot account `platform:stripe_balance:USD`, a host's
 * bookings grow with history (HOSTS hosts share them), and a day holds 1,440 entries whatever the size.
 *
 * Seeding is postEntries itself, called with large batches: the same validation, hashing, chain,
 * balance checkpoints and multi-row INSERTs as every writer, only fewer round trips per entry (the
 * full verify at each size proves the result). The filler bookings' rows in `bookings` (what a
 * host statement joins on) and their accounts are written with multi-row INSERTs: no event stands
 * behind them, so these bookings are measured by the ledger and statement reads only, never
 * previewed; the previewed bookings come through the real pipeline (run.ts).
 */
import type { Db } from '../../sidecar/src/db/connect.js';
import { insertRows } from '../../sidecar/src/flows/ledger/multi-row-insert.js';
import { openAccount, postEntries, type JournalEntryRequest } from '../../sidecar/src/flows/ledger/index.js';
import { chart, KIND } from '../../sidecar/src/flows/vocabulary.js';
import { formatIsoUtc, parseIsoUtc } from '../../sidecar/src/kernel/index.js';

export const HOSTS = 100;
export const MEASURED_HOST = 'host_g0';
export const HOT = chart.stripeBalance('USD').code;
const FEES = chart.feeRevenue('USD');
/** Entry 0's event time; entry n is n minutes later. */
export const T0 = '2027-01-01T00:00:00.000Z';
const T0_MS = parseIsoUtc(T0);
export const ENTRY_SPACING_MS = 60_000;

export const bookingId = (b: number) => `bk_g${b}`;
export const hostOf = (b: number) => `host_g${b % HOSTS}`;
export const timeOf = (n: number) => formatIsoUtc(T0_MS + n * ENTRY_SPACING_MS).replace(/Z$/, '.000Z');
/** Listing price of booking b (minor units) and the platform's host fee on it. */
const price = (b: number) => 20_000 + (b % 997) * 10;
const hostFee = (b: number) => Math.floor(price(b) * 3 / 100);

/** The n-th entry of the history. */
export function growthEntry(n: number): JournalEntryRequest {
  const b = n >> 1;
  const share = chart.hostShare(bookingId(b), 'USD').code;
  if ((n & 1) === 0) {
    return {
      idempotency_key: `payment:pi_g${b}`, kind: KIND.payment_received, booking_id: bookingId(b), occurred_at: timeOf(n), description: 'guest payment',
      meta: { event_id: `evt_pay_${b}`, host_fee_minor: hostFee(b) },
      lines: [
        { account: HOT, unit: 'USD', direction: 'D', amount_minor: price(b) },
        { account: share, unit: 'USD', direction: 'C', amount_minor: price(b) - hostFee(b) },
        { account: FEES.code, unit: 'USD', direction: 'C', amount_minor: hostFee(b) },
      ],
    };
  }
  return {
    idempotency_key: `transfer:tr_g${b}`, kind: KIND.host_transfer, booking_id: bookingId(b), occurred_at: timeOf(n), description: 'host payout',
    meta: { event_id: `evt_tr_${b}` },
    lines: [
      { account: share, unit: 'USD', direction: 'D', amount_minor: price(b) - hostFee(b) },
      { account: HOT, unit: 'USD', direction: 'C', amount_minor: price(b) - hostFee(b) },
    ],
  };
}

export async function openPlatformAccounts(db: Db): Promise<void> {
  for (const a of [chart.stripeBalance('USD'), FEES]) await openAccount(db, { ...a, opened_at: T0 });
}

/**
 * Entries [from, to) of the history: for the bookings first paid in that range, their bookings rows
 * and host-share accounts (multi-row INSERTs), then the entries through postEntries, `perCall` per
 * call and transaction.
 */
export async function grow(db: Db, from: number, to: number, perCall: number): Promise<void> {
  for (let n = from; n < to; n += perCall) {
    const end = Math.min(to, n + perCall);
    const firstNew = (n + 1) >> 1; // bookings whose payment (entry 2b) falls in [n, end)
    const lastNew = (end - 1) >> 1;
    const bookings: unknown[][] = [];
    const accounts: unknown[][] = [];
    for (let b = firstNew; b <= lastNew && 2 * b < end; b++) {
      if (2 * b < n) continue;
      bookings.push([bookingId(b), 1_000_000 + b, `guest_g${b % 977}`, hostOf(b), 'USD', `pi_g${b}`, timeOf(2 * b), '{}']);
      const share = chart.hostShare(bookingId(b), 'USD');
      accounts.push([share.code, share.type, share.unit, share.name, timeOf(2 * b)]);
    }
    await db.transaction(async (trx) => {
      await insertRows(trx, 'bookings', ['booking_id', 'inbox_id', 'guest_id', 'host_id', 'currency', 'payment_intent_id', 'confirmed_at', 'policies'], bookings);
      await insertRows(trx, 'accounts', ['code', 'type', 'unit', 'name', 'opened_at'], accounts);
      await postEntries(trx, Array.from({ length: end - n }, (_, i) => growthEntry(n + i)));
    });
  }
}
