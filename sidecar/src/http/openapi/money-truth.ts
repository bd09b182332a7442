import { z } from 'zod';
import type { RouteDoc } from './registry.js';

const SIGNED = { kind: 'signed' } as const;
const Rule = z.object({ policy: z.string(), version: z.number().int(), hash: z.string() });

/** Routes added by issue #12 (dispute evidence, reconciliation with Stripe): the auditor's. */
export const moneyTruthDocs: RouteDoc[] = [
  {
    method: 'get', path: '/bookings/:id/dispute-evidence', summary: 'Per dispute of the booking: what was (or would be) submitted to Stripe as evidence, with the rule and consent hashes it cites', tags: ['evidence'], auth: SIGNED,
    params: z.object({ id: z.string().min(1).meta({ description: 'booking id' }) }),
    responses: {
      200: {
        description: 'the disputes (empty if none): decision, evidence fields, the submission and its outbox status',
        schema: z.object({
          booking_id: z.string(),
          disputes: z.array(z.object({ dispute_id: z.string(), decided: z.boolean(), contest: z.boolean().optional(), rule: Rule.optional(), submit_by: z.string().optional(), evidence: z.record(z.string(), z.unknown()).optional(), evidence_hash: z.string().optional() }).loose()),
        }),
      },
    },
    problems: ['not_found', 'invalid_id'],
    example: { path: '/bookings/bk_oa_1/dispute-evidence' },
  },
  {
    method: 'get', path: '/reconciliation', summary: 'The ledger against Stripe\'s balance transactions of a period: matched, missing from the ledger (with the event that would explain it), unknown to Stripe, amount differences', tags: ['evidence'], auth: SIGNED,
    query: z.object({
      from: z.string().meta({ description: 'YYYY-MM-DD (UTC midnight) or an ISO 8601 UTC instant, inclusive' }),
      to: z.string().meta({ description: 'YYYY-MM-DD or an ISO 8601 UTC instant, exclusive; at most 93 days after from' }),
    }),
    responses: {
      200: {
        description: 'the report (reads only: never an adjustment)',
        schema: z.object({
          from: z.string(), to: z.string(), stripe_transactions: z.number().int(),
          matched: z.array(z.record(z.string(), z.unknown())),
          missing_from_ledger: z.array(z.object({ balance_transaction: z.string(), key: z.string(), amount_minor: z.number().int(), currency: z.string(), explained_by: z.string() }).loose()),
          unknown_to_stripe: z.array(z.record(z.string(), z.unknown())),
          amount_differences: z.array(z.record(z.string(), z.unknown())),
          ok: z.boolean(),
        }).loose(),
      },
    },
    problems: ['validation_failed', 'not_ready'],
    example: { path: '/reconciliation?from=2026-08-01&to=2026-10-01' },
  },
];
