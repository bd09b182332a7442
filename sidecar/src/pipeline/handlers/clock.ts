import { hashOf } from '../../kernel/index.js';
import { getBooking, hostConnectedAccount, hostSubscriptionStatus, stripeObjectsOfBooking, transition, type BookingRecord } from '../../flows/booking/store.js';
import { bookingMoney } from '../../flows/booking/money-view.js';
import { chart } from '../../flows/vocabulary.js';
import { heldIn, postEntryIntent } from '../../flows/booking/postings.js';
import { creditsExpiredEntry } from '../../flows/booking/entries.js';
import { postHostTransfer } from './host-transfer.js';
import { bookingsAwaitingPayout, recordHold } from '../../flows/booking/payout-store.js';
import { lotsExpiringBefore, markLotExpired, usedFromLot } from '../../flows/booking/credits.js';
import { decisionIdFor, recordDecision } from '../../flows/evidence/decisions.js';
import { addIntent, intentIdFor } from '../../flows/outbox/intents.js';
import { payoutDueAt, payoutHold, ruleRefOf } from '../../nora/index.js';
import { factsOf, pinnedPolicy } from '../booking-facts.js';
import { ref, type HandlerContext, type HandlerResult, type Trx } from '../context.js';
import { redriveOnTick } from './outbox-redrive.js';
import { accountState } from '../../flows/booking/account-states.js';
import { connectHold } from '../../nora/index.js';

/** Everything scheduled up to the tick's occurred_at becomes due: host payouts, credit expiries. */
export async function onClockTick(ctx: HandlerContext): Promise<HandlerResult> {
  const keys: string[] = [];
  let payouts = 0;
  let holds = 0;
  for (const booking_id of await bookingsAwaitingPayout(ctx.db)) {
    const b = await getBooking(ctx.db, booking_id);
    if (!b) continue;
    const r = await payoutIfDue(ctx, b);
    if (r === 'paid') payouts++;
    if (r === 'held') holds++;
    if (r !== 'not_due') keys.push(booking_id);
  }
  const expired = await expireCredits(ctx);
  const redrive = await redriveOnTick(ctx);
  keys.push(...redrive.keys);
  const did = payouts + holds + expired + redrive.granted + redrive.terminal;
  return { status: did > 0 ? 'processed' : 'ignored', code: did > 0 ? undefined : 'nothing_due', reason: `${payouts} payout(s), ${holds} hold(s), ${expired} credit lot(s) expired, ${redrive.granted} outbound retr(ies), ${redrive.terminal} terminal`, keys };
}

async function payoutIfDue({ db, event }: HandlerContext, b: BookingRecord): Promise<'not_due' | 'held' | 'paid'> {
  if (b.state === 'refund_pending' || b.state === 'refund_failed') return 'not_due'; // settle the guest first
  const money = await bookingMoney(db, b.booking_id);
  const facts = factsOf(b, money);
  const timing = await pinnedPolicy(db, b.policies.payout_timing);
  const due_at = payoutDueAt({ payout: timing, facts });
  if (due_at > event.occurred_at) return 'not_due';
  const amount = await heldIn(db, chart.hostShare(b.booking_id, b.currency));
  if (amount <= 0) return 'not_due';

  const account = await hostConnectedAccount(db, b.host_id);
  const holdPolicy = await pinnedPolicy(db, b.policies.payout_hold);
  const subscription_status = await hostSubscriptionStatus(db, account);
  const hold = payoutHold({ hold: holdPolicy, host: { subscription_status } });
  if (!account) {
    await recordHold(db, b.booking_id, event.id, 'no_connected_account', `host ${b.host_id} has no connected Stripe account (host.connected); the payout of ${amount} waits`);
    return 'held';
  }
  if (hold.held) {
    await recordHold(db, b.booking_id, event.id, hold.reason ?? 'held', `payouts to host ${b.host_id} are held (${hold.reason}) by ${ruleRefOf(holdPolicy).policy} v${holdPolicy.version}`);
    return 'held';
  }
  // Not attempted, not failed: held until an account.updated says the account can receive transfers.
  const connect = connectHold(await accountState(db, account));
  if (connect.held) {
    await recordHold(db, b.booking_id, event.id, connect.code, `${connect.reason}; the payout of ${amount} waits`);
    return 'held';
  }
  const owed = Math.max(0, await heldIn(db, chart.hostPenalties(b.host_id, b.currency)));
  const deduction = Math.min(amount, owed);
  const charge = (await stripeObjectsOfBooking(db, b.booking_id, 'charge'))[0];
  const decision_id = decisionIdFor(event.source, event.event_id, 'payout', b.booking_id);
  const outcome = { booking_id: b.booking_id, amount_minor: amount - deduction, deduction_minor: deduction, currency: b.currency, destination: account, due_at };
  await recordDecision(db, {
    decision_id, inbox_id: event.id, event_id: event.event_id, booking_id: b.booking_id, action: 'host_payout', actor: null,
    policy: ruleRefOf(timing).policy, policy_version: timing.version, policy_hash: timing.hash,
    input: { facts, host_share_minor: amount, penalties_owed_minor: owed, subscription_status, at: event.occurred_at, policies: { payout_timing: ruleRefOf(timing), payout_hold: ruleRefOf(holdPolicy) } },
    allowed: true, reason: null, outcome, outcome_hash: hashOf(outcome), consent_hash: null, evaluated_at: event.occurred_at, recorded_at: event.received_at,
  });
  if (b.state === 'paid' || b.state === 'checked_in') await transition(db, b, 'start_payout', event.id, event.occurred_at);
  if (amount - deduction === 0) {
    // Everything the host earned here goes to what they owe: settle it in the ledger, no transfer.
    await postHostTransfer(db, b, { transfer_id: `offset:${decision_id}`, amount_minor: 0, deduction_minor: deduction }, ref(event, decision_id));
    const after = await getBooking(db, b.booking_id);
    if (after?.state === 'payout_pending') await transition(db, after, 'confirm_payout', event.id, event.occurred_at);
    return 'paid';
  }
  await addIntent(db, {
    intent_id: intentIdFor('transfer', decision_id), decision_id, booking_id: b.booking_id, operation: 'transfer', inbox_id: event.id,
    params: {
      amount: amount - deduction, currency: b.currency.toLowerCase(), destination: account, transfer_group: b.booking_id,
      ...(charge ? { source_transaction: charge.object_id } : {}),
      metadata: { booking_id: b.booking_id, decision_id, deduction_minor: String(deduction) },
    },
  });
  return 'paid';
}

async function expireCredits({ db, event }: HandlerContext): Promise<number> {
  const lots = await lotsExpiringBefore(db as Trx, event.occurred_at);
  for (const lot of lots) {
    const held = await heldIn(db, chart.guestCredits(lot.guest_id));
    const credits = Math.min(lot.credits - (await usedFromLot(db, lot.lot_id)), Math.max(0, held));
    await markLotExpired(db, lot.lot_id, event.id);
    if (credits > 0) await postEntryIntent(db, creditsExpiredEntry({ lot_id: lot.lot_id, guest_id: lot.guest_id, credits }, ref(event)));
  }
  return lots.length;
}
