/**
 * List endpoints (issue #12): refunds of a payment intent or charge, transfers of a transfer group,
 * reversals of a transfer, in Stripe's list shape with `starting_after` pagination (newest first).
 * Kept apart from model.ts so other work on the fake merges cleanly.
 */
import type { FormObject } from './form.js';
import type { FakeStripeModel } from './model.js';
import { optString } from './params.js';
import { noSuchObject } from './errors.js';

export type ListPage<T> = { object: 'list'; url: string; has_more: boolean; data: T[] };

/** Newest first (created, then id, descending), then `starting_after`, then `limit` (default 10, max 100). */
export function page<T extends { id: string; created: number }>(url: string, all: T[], params: FormObject): ListPage<T> {
  const sorted = [...all].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const after = optString(params, 'starting_after');
  const from = after === null ? 0 : sorted.findIndex((x) => x.id === after) + 1;
  const limit = Math.min(100, Math.max(1, Number(optString(params, 'limit') ?? 10) || 10));
  const data = sorted.slice(from, from + limit);
  return { object: 'list', url, has_more: from + limit < sorted.length, data };
}

export function listRefunds(m: FakeStripeModel, params: FormObject): ListPage<unknown> {
  const pi = optString(params, 'payment_intent');
  const charge = optString(params, 'charge');
  const all = [...m.state.refunds.values()].filter((r) => (pi === null || r.payment_intent === pi) && (charge === null || r.charge === charge));
  return page('/v1/refunds', all, params);
}

export function listTransfers(m: FakeStripeModel, params: FormObject): ListPage<unknown> {
  const group = optString(params, 'transfer_group');
  const destination = optString(params, 'destination');
  const all = [...m.state.transfers.values()].filter((t) => (group === null || t.transfer_group === group) && (destination === null || t.destination === destination));
  return page('/v1/transfers', all, params);
}

export function listTransferReversals(m: FakeStripeModel, transfer: string, params: FormObject): ListPage<unknown> {
  m.transfer(transfer); // 404 for an unknown transfer
  const all = [...m.state.transferReversals.values()].filter((r) => r.transfer === transfer);
  return page(`/v1/transfers/${transfer}/reversals`, all, params);
}

/** GET /v1/balance_transactions: every movement of the platform balance, `created[gte|lt]`, `type` and `payout` filters, paginated. */
export function listBalanceTransactions(m: FakeStripeModel, params: FormObject): ListPage<unknown> {
  const created = (typeof params.created === 'object' && params.created !== null ? params.created : {}) as Record<string, string>;
  const gte = created.gte !== undefined ? Number(created.gte) : -Infinity;
  const lt = created.lt !== undefined ? Number(created.lt) : Infinity;
  const type = optString(params, 'type');
  // `payout`: the transactions an automatic payout paid out, and the payout's own (as Stripe lists them).
  const payout = optString(params, 'payout');
  if (payout !== null && !m.payoutOf.has(`self:${payout}`)) throw noSuchObject('payout', payout);
  const all = [...m.state.balanceTransactions.values()].filter((t) => t.created >= gte && t.created < lt && (type === null || t.type === type)
    && (payout === null || m.payoutOf.get(t.id) === payout));
  return page('/v1/balance_transactions', all, params);
}
