/**
 * Platform payouts in the fake (issue #12): Stripe pays the platform's available balance out to its
 * bank account. A test makes one (as Stripe's automatic payout schedule would), then pays or fails
 * it; each step sends the webhook Stripe sends (`payout.created`, `payout.paid`, `payout.failed`).
 * The payout object has the shape of fixtures/stripe/payout.paid.json's `data.object` (a captured
 * test-mode payout; that one is a connected account's, these are the platform's: no `account`).
 * Kept apart from model.ts so other work on the fake merges cleanly.
 */
import { noSuchObject } from './errors.js';
import type { FakeClock, IdSequence } from './ids.js';
import type { EmitFn, FakeStripeModel, RequestContext } from './model.js';
import { buildBalanceTransaction, snapshot } from './objects.js';

const NO_REQUEST: RequestContext = { request_id: null, idempotency_key: null, account: null };

export type FakePayout = {
  id: string; object: 'payout'; amount: number; application_fee: null; application_fee_amount: null; arrival_date: number; automatic: boolean;
  balance_transaction: string; created: number; currency: string; description: string; destination: string;
  failure_balance_transaction: string | null; failure_code: string | null; failure_message: string | null;
  livemode: false; metadata: Record<string, string>; method: 'standard'; original_payout: null; reconciliation_status: 'not_applicable' | 'in_progress' | 'completed';
  reversed_by: null; source_type: 'card'; statement_descriptor: null; status: 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled'; type: 'bank_account';
  trace_id: { status: 'pending' | 'supported'; value: string | null }; payout_method: null;
};

export class FakePayouts {
  readonly all = new Map<string, FakePayout>();
  constructor(private readonly model: FakeStripeModel, private readonly ids: IdSequence, private readonly clock: FakeClock, private readonly emit: EmitFn) {}

  /**
   * Stripe's automatic payout: every balance transaction of `currency` not yet paid out (or the
   * ones named), for their net sum unless `amount` says otherwise (a test of a payout that does
   * not add up). Sends `payout.created`.
   */
  create(p: { currency: string; include?: string[]; amount?: number }): FakePayout {
    const currency = p.currency.toLowerCase();
    const txns = (p.include ?? [...this.model.state.balanceTransactions.keys()])
      .map((id) => this.model.state.balanceTransactions.get(id)!)
      .filter((t) => t && t.currency === currency && !this.model.payoutOf.has(t.id) && !t.type.startsWith('payout'));
    const amount = p.amount ?? txns.reduce((a, t) => a + t.net, 0);
    const created = this.clock.tick();
    const id = this.ids.next('po');
    const txnId = this.ids.next('txn');
    this.model.state.balanceTransactions.set(txnId, buildBalanceTransaction({ id: txnId, amount: -amount, fee: 0, currency, created, source: id, type: 'payout', reporting_category: 'payout', description: 'STRIPE PAYOUT', status: 'available' }));
    for (const t of txns) this.model.payoutOf.set(t.id, id);
    this.model.payoutOf.set(txnId, id);
    this.model.payoutOf.set(`self:${id}`, id);
    const po: FakePayout = {
      id, object: 'payout', amount, application_fee: null, application_fee_amount: null, arrival_date: created + 86_400, automatic: true,
      balance_transaction: txnId, created, currency, description: 'STRIPE PAYOUT', destination: 'ba_1FakePlatformBank',
      failure_balance_transaction: null, failure_code: null, failure_message: null, livemode: false, metadata: {}, method: 'standard',
      original_payout: null, reconciliation_status: 'in_progress', reversed_by: null, source_type: 'card', statement_descriptor: null,
      status: 'pending', type: 'bank_account', trace_id: { status: 'pending', value: null }, payout_method: null,
    };
    this.all.set(id, po);
    this.emit('payout.created', snapshot(po), NO_REQUEST);
    return snapshot(po);
  }

  /** The bank received it: `payout.paid`. */
  pay(id: string): FakePayout {
    const po = this.get(id);
    Object.assign(po, { status: 'paid', reconciliation_status: 'completed', trace_id: { status: 'supported', value: `FAKE${id.slice(-10).toUpperCase()}` } });
    this.emit('payout.paid', snapshot(po), NO_REQUEST);
    return snapshot(po);
  }

  /** The bank refused it: the amount returns to the balance (a `payout_failure` transaction), `payout.failed`. */
  fail(id: string, code = 'account_closed', message = 'The bank account has been closed.'): FakePayout {
    const po = this.get(id);
    const created = this.clock.tick();
    const txnId = this.ids.next('txn');
    this.model.state.balanceTransactions.set(txnId, buildBalanceTransaction({ id: txnId, amount: po.amount, fee: 0, currency: po.currency, created, source: id, type: 'payout_failure', reporting_category: 'payout_reversal', description: 'STRIPE PAYOUT FAILURE', status: 'available' }));
    Object.assign(po, { status: 'failed', failure_code: code, failure_message: message, failure_balance_transaction: txnId, reconciliation_status: 'not_applicable' });
    this.emit('payout.failed', snapshot(po), NO_REQUEST);
    return snapshot(po);
  }

  /** GET /v1/payouts/:id */
  get(id: string): FakePayout {
    const po = this.all.get(id);
    if (!po) throw noSuchObject('payout', id);
    return po;
  }
}
