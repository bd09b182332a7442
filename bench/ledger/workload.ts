import { canonicalJson } from '../../sidecar/src/kernel/index.js';
import { chart, KIND, type ChartAccount } from '../../sidecar/src/flows/vocabulary.js';
import { ensureAccounts } from '../../sidecar/src/flows/booking/open-accounts.js';
import type { Db } from '../../sidecar/src/db/connect.js';
import { contentHashOf, entryHashOf, GENESIS_HASH, normalizeInstant, type JournalEntry, type JournalEntryRequest } from '../../sidecar/src/flows/ledger/index.js';
import { advanceTotals, checkpointRow, type Totals } from '../../sidecar/src/flows/ledger/balance-checkpoints.js';

/**
 * The bench's entries: a guest payment split four ways, the shape the booking flow posts most.
 * `hot` debits the one platform Stripe balance account in every entry (the account every real
 * payment touches); `spread` debits one of many host receivables instead, so no account is shared
 * by more than a few entries. Both credit three booking-scoped liabilities.
 */
export type Placement = 'hot' | 'spread';

export const CURRENCY = 'USD';
export const BOOKINGS = 500;
export const HOSTS = 200;
const T0 = Date.UTC(2026, 8, 1, 12, 0, 0);

export function accountsFor(placement: Placement): ChartAccount[] {
  const out: ChartAccount[] = [];
  if (placement === 'hot') out.push(chart.stripeBalance(CURRENCY));
  else for (let h = 0; h < HOSTS; h++) out.push(chart.hostReceivable(`h${h}`, CURRENCY));
  for (let b = 0; b < BOOKINGS; b++) {
    out.push(chart.hostShare(`bk${b}`, CURRENCY), chart.platformFees(`bk${b}`, CURRENCY), chart.bookingTaxes(`bk${b}`, CURRENCY));
  }
  return out;
}

/**
 * Opens the workload's accounts, 400 at a time: ensureAccounts writes its new accounts in one knex
 * multi-row insert, which SQLite refuses beyond 500 rows (knex writes it as a compound SELECT).
 */
export async function openWorkloadAccounts(db: Db, placement: Placement, opened_at: string): Promise<void> {
  const all = accountsFor(placement);
  for (let i = 0; i < all.length; i += 400) await db.transaction((trx) => ensureAccounts(trx, all.slice(i, i + 400), opened_at));
}

export function requestFor(placement: Placement, run: string, i: number): JournalEntryRequest {
  const b = i % BOOKINGS;
  const host_share = 10_000 + ((i * 7919) % 90_000);
  const fees = Math.floor(host_share / 10) + 1;
  const taxes = Math.floor(host_share / 20) + 1;
  const debit = placement === 'hot' ? chart.stripeBalance(CURRENCY).code : chart.hostReceivable(`h${i % HOSTS}`, CURRENCY).code;
  return {
    idempotency_key: `bench:${run}:${i}`,
    kind: KIND.payment_received,
    booking_id: `bk${b}`,
    occurred_at: new Date(T0 + i * 1000).toISOString().replace('.000Z', 'Z'),
    description: `Guest payment for booking bk${b}`,
    meta: { event_id: `evt_${run}_${i}`, payment_intent: `pi_${b}` },
    lines: [
      { account: debit, unit: CURRENCY, direction: 'D', amount_minor: host_share + fees + taxes },
      { account: chart.hostShare(`bk${b}`, CURRENCY).code, unit: CURRENCY, direction: 'C', amount_minor: host_share },
      { account: chart.platformFees(`bk${b}`, CURRENCY).code, unit: CURRENCY, direction: 'C', amount_minor: fees },
      { account: chart.bookingTaxes(`bk${b}`, CURRENCY).code, unit: CURRENCY, direction: 'C', amount_minor: taxes },
    ],
  };
}

/** One entry's rows as the ledger writes them: the entry, its lines, and the balance checkpoints it brings (as CHECKPOINT_COLUMNS arrays). */
export type RawRows = { entry: Record<string, unknown>; lines: Array<Record<string, unknown>>; checkpoints: unknown[][] };

/**
 * The rows postEntry would write for `count` requests on an empty ledger, hashes and chain
 * precomputed: what the raw-INSERT ceiling inserts.
 */
export function rawRowsFor(placement: Placement, run: string, count: number): RawRows[] {
  const out: RawRows[] = [];
  const running = new Map<string, Totals>();
  let prev = GENESIS_HASH;
  for (let i = 0; i < count; i++) {
    const asked = requestFor(placement, run, i);
    const req = { ...asked, occurred_at: normalizeInstant(asked.occurred_at) }; // the stored, fixed-width form postEntry hashes
    const e: Omit<JournalEntry, 'entry_hash'> = {
      seq: i + 1,
      idempotency_key: req.idempotency_key,
      content_hash: contentHashOf(req),
      kind: req.kind,
      booking_id: req.booking_id,
      occurred_at: req.occurred_at,
      description: req.description,
      reverses_seq: null,
      meta: req.meta ?? {},
      lines: req.lines,
      prev_hash: prev,
    };
    const entry_hash = entryHashOf(e);
    out.push({
      entry: {
        seq: e.seq, idempotency_key: e.idempotency_key, content_hash: e.content_hash, kind: e.kind, booking_id: e.booking_id,
        occurred_at: e.occurred_at, description: e.description, reverses_seq: null, meta: canonicalJson(e.meta), prev_hash: prev, entry_hash,
      },
      lines: req.lines.map((l, n) => ({ entry_seq: e.seq, line_no: n + 1, account_code: l.account, unit: l.unit, direction: l.direction, amount_minor: l.amount_minor })),
      checkpoints: advanceTotals(running, e.seq, req.lines).map(checkpointRow),
    });
    prev = entry_hash;
  }
  return out;
}
