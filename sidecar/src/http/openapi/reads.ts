import { z } from 'zod';
import type { RouteDoc } from './registry.js';

const SIGNED = { kind: 'signed' } as const;
const Id = (description: string) => z.string().min(1).meta({ description });
const IsoInstant = z.string().meta({ description: 'ISO 8601 UTC instant, e.g. 2026-09-01T12:00:00Z (default: now)' });
const Rule = z.object({ policy: z.string(), version: z.number().int(), hash: z.string() });
const Entry = z.object({ seq: z.number().int(), entry_hash: z.string(), prev_hash: z.string(), kind: z.string(), occurred_at: z.string(), lines: z.array(z.object({ account: z.string(), unit: z.string(), direction: z.enum(['D', 'C']), amount_minor: z.number().int() }).loose()) }).loose();
const Decision = z.object({ decision_id: z.string(), action: z.string(), policy: z.string(), policy_version: z.number().int(), policy_hash: z.string(), outcome_hash: z.string() }).loose();
const Outcome = z.object({ booking_id: z.string(), outcome_hash: z.string(), outcome: z.record(z.string(), z.unknown()) }).loose();

export const readDocs: RouteDoc[] = [
  {
    method: 'get', path: '/inbox/:source/:eventId', summary: 'What became of a stored event (received, processed, parked, dead-lettered, ignored)', tags: ['reads'], auth: SIGNED,
    params: z.object({ source: z.enum(['stripe', 'booking', 'clock']), eventId: Id('the sender\'s event id (a built-in clock tick: tick:<ISO instant>)') }),
    responses: { 200: { description: 'the event and its fate', schema: z.object({ source: z.string(), event_id: z.string(), type: z.string(), occurred_at: z.string(), inbox_seq: z.number().int(), status: z.enum(['received', 'processed', 'parked', 'dead_lettered', 'ignored']) }).loose() } },
    problems: ['not_found', 'validation_failed'],
    example: { path: '/inbox/booking/bev_oa_confirmed' },
  },
  {
    method: 'get', path: '/ledger/entries', summary: 'A booking\'s journal entries with their lines and hashes', tags: ['reads'], auth: SIGNED,
    query: z.object({ booking_id: Id('the booking') }),
    responses: { 200: { description: 'entries in chain order', schema: z.object({ booking_id: z.string(), entries: z.array(Entry) }) } },
    problems: ['validation_failed'],
    example: { path: '/ledger/entries?booking_id=bk_oa_1' },
  },
  {
    method: 'get', path: '/preview/outcome', summary: 'What a cancellation (action=cancel) or a change of a paid booking (action=modify, issue #12) would do now (or at `at`), with the outcome_hash to consent to', tags: ['previews'], auth: SIGNED,
    query: z.object({
      action: z.enum(['cancel', 'modify']), booking_id: Id('the booking'), by: z.enum(['guest', 'host']), at: IsoInstant.optional(),
      check_in: z.string().optional().meta({ description: 'modify: the new check-in date YYYY-MM-DD' }),
      check_out: z.string().optional().meta({ description: 'modify: the new check-out date YYYY-MM-DD' }),
      nightly_total: z.string().optional().meta({ description: 'modify: the new nightly total, minor units' }),
      cleaning_fee: z.string().optional().meta({ description: 'modify: the new cleaning fee, minor units' }),
      guest_service_fee: z.string().optional().meta({ description: 'modify: the new guest service fee, minor units' }),
      taxes: z.string().optional().meta({ description: 'modify: the new taxes, minor units' }),
    }),
    responses: { 200: { description: 'the outcome, its rule and hash', schema: Outcome } },
    problems: ['validation_failed', 'not_found', 'unknown_policy'],
    example: { path: '/preview/outcome?action=cancel&booking_id=bk_oa_1&by=guest&at=2026-09-05T08:00:00Z' },
  },
  {
    method: 'get', path: '/constraints', summary: 'What the booking\'s policies allow now (or at `at`)', tags: ['previews'], auth: SIGNED,
    query: z.object({ booking_id: Id('the booking'), at: IsoInstant.optional() }),
    responses: { 200: { description: 'the constraints', schema: z.record(z.string(), z.unknown()) } },
    problems: ['validation_failed', 'not_found'],
    example: { path: '/constraints?booking_id=bk_oa_1&at=2026-09-05T08:00:00Z' },
  },
  {
    method: 'get', path: '/bookings/:id', summary: 'A booking: state, money, rule, next step', tags: ['reads'], auth: SIGNED,
    params: z.object({ id: Id('booking id') }),
    responses: { 200: { description: 'the booking view', schema: z.object({ booking_id: z.string(), state: z.string(), currency: z.string(), rule: Rule, total_minor: z.number().int(), paid_minor: z.number().int(), next_step: z.object({ action: z.string(), due_at: z.string().nullable() }).loose().nullable() }).loose() } },
    problems: ['not_found'],
    example: { path: '/bookings/bk_oa_1' },
  },
  {
    method: 'get', path: '/bookings/:id/receipt', summary: 'The guest\'s receipt', tags: ['reads'], auth: SIGNED,
    params: z.object({ id: Id('booking id') }),
    responses: { 200: { description: 'the receipt', schema: z.object({ booking_id: z.string(), currency: z.string(), lines: z.array(z.object({ label: z.string(), amount_minor: z.number().int(), unit: z.string() }).loose()), paid_minor: z.number().int(), net_paid_minor: z.number().int() }).loose() } },
    problems: ['not_found'],
    example: { path: '/bookings/bk_oa_1/receipt' },
  },
  {
    method: 'get', path: '/bookings/:id/evidence', summary: 'Every decision recorded for a booking', tags: ['evidence'], auth: SIGNED,
    params: z.object({ id: Id('booking id') }),
    responses: { 200: { description: 'decisions with rule versions and hashes', schema: z.object({ booking_id: z.string(), decisions: z.array(Decision) }) } },
    problems: ['not_found'],
    example: { path: '/bookings/bk_oa_1/evidence' },
  },
  {
    method: 'get', path: '/evidence/:decisionId', summary: 'One decision: rule, inputs, outcome, hashes', tags: ['evidence'], auth: SIGNED,
    params: z.object({ decisionId: Id('decision id') }),
    responses: { 200: { description: 'the decision', schema: Decision } },
    problems: ['not_found'],
  },
  {
    method: 'get', path: '/hosts/:id/statement', summary: 'A host\'s payout statement (JSON, or CSV with Accept: text/csv or ?format=csv)', tags: ['reads'], auth: SIGNED,
    params: z.object({ id: Id('host id') }),
    query: z.object({ from: z.string().optional().meta({ description: 'YYYY-MM-DD' }), to: z.string().optional().meta({ description: 'YYYY-MM-DD' }), format: z.enum(['json', 'csv']).optional() }),
    responses: { 200: { description: 'the statement', schema: z.object({ host_id: z.string(), from: z.string(), to: z.string(), bookings: z.array(z.object({ booking_id: z.string(), currency: z.string(), gross_minor: z.number().int(), net_minor: z.number().int() }).loose()), totals: z.array(z.record(z.string(), z.unknown())) }) } },
    problems: ['validation_failed'],
    example: { path: '/hosts/host_oa/statement?from=2026-01-01&to=2026-12-31' },
  },
  {
    method: 'get', path: '/guests/:id/credits', summary: 'A guest\'s loyalty credits (non-cash)', tags: ['reads'], auth: SIGNED,
    params: z.object({ id: Id('guest id') }),
    responses: { 200: { description: 'balance and lots', schema: z.object({ guest_id: z.string(), unit: z.literal('CREDIT'), balance: z.number().int(), cash_value: z.null(), lots: z.array(z.record(z.string(), z.unknown())) }) } },
    example: { path: '/guests/guest_oa/credits' },
  },
  {
    method: 'get', path: '/policies', summary: 'Every published policy version', tags: ['policies'], auth: SIGNED,
    responses: { 200: { description: 'policy versions', schema: z.object({ policies: z.array(z.object({ kind: z.string(), id: z.string(), version: z.number().int(), hash: z.string(), published_seq: z.number().int() })) }) } },
  },
  {
    method: 'get', path: '/policies/:id/:version', summary: 'One policy version (add ?kind= when ids repeat across kinds)', tags: ['policies'], auth: SIGNED,
    params: z.object({ id: Id('policy id, e.g. moderate'), version: z.string().meta({ description: 'a positive integer, optionally prefixed v' }) }),
    query: z.object({ kind: z.string().optional() }),
    responses: { 200: { description: 'the policy version (or the ambiguous matches)', schema: z.record(z.string(), z.unknown()) } },
    problems: ['validation_failed', 'not_found'],
    example: { path: '/policies/moderate/1' },
  },
  {
    method: 'get', path: '/outbox', summary: 'Stripe calls asked for by decisions, with every attempt', tags: ['operations'], auth: SIGNED,
    query: z.object({ status: z.enum(['pending', 'retrying', 'succeeded', 'failed', 'exhausted']).optional() }),
    responses: { 200: { description: 'intents', schema: z.object({ intents: z.array(z.object({ intent_id: z.string(), operation: z.string(), status: z.string() }).loose()) }) } },
  },
];
