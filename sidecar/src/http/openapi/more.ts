import { z } from 'zod';
import type { RouteDoc } from './registry.js';

const SIGNED = { kind: 'signed' } as const;

/** Routes added by issues #13, #14 and #15 (suspense, guests' bookings, host subscription, whoami, outbound deliveries). */
export const moreDocs: RouteDoc[] = [
  {
    method: 'get', path: '/suspense', summary: 'Money movements outside policy, until reconciliation names them', tags: ['evidence'], auth: SIGNED,
    responses: { 200: { description: 'movements', schema: z.record(z.string(), z.unknown()) } },
    example: { path: '/suspense' },
  },
  {
    method: 'get', path: '/guests/:id/bookings', summary: 'A guest\'s bookings, paginated (cursor, limit)', tags: ['reads'], auth: SIGNED,
    params: z.object({ id: z.string().min(1) }),
    query: z.object({ cursor: z.string().optional(), limit: z.string().optional().meta({ description: '1-100, default 20' }) }),
    responses: { 200: { description: 'a page of bookings', schema: z.record(z.string(), z.unknown()) } },
    problems: ['validation_failed', 'invalid_id'],
    example: { path: '/guests/guest_oa/bookings' },
  },
  {
    method: 'get', path: '/hosts/:id/subscription', summary: 'A host\'s subscription: plan, status, what the payout hold policy sees', tags: ['reads'], auth: SIGNED,
    params: z.object({ id: z.string().min(1) }),
    responses: { 200: { description: 'the subscription', schema: z.record(z.string(), z.unknown()) } },
    problems: ['not_found', 'invalid_id', 'validation_failed'],
  },
  {
    method: 'get', path: '/whoami', summary: 'Which key is asking (its id and role) and the server time', tags: ['operations'], auth: SIGNED,
    responses: { 200: { description: 'the key', schema: z.object({ key_id: z.string().nullable(), role: z.string().nullable(), server_time: z.string() }) } },
    example: { path: '/whoami' },
  },
  {
    method: 'get', path: '/outbound/deliveries', summary: 'Outbound event deliveries to the booking engine, by status', tags: ['operations'], auth: SIGNED,
    query: z.object({ status: z.string().optional(), limit: z.string().optional() }),
    responses: { 200: { description: 'deliveries', schema: z.object({ status: z.string().nullable(), deliveries: z.array(z.unknown()) }).loose() } },
    problems: ['validation_failed'],
    example: { path: '/outbound/deliveries' },
  },
];
