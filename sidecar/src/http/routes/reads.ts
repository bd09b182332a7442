import { Router } from 'express';
import { DomainError, formatIsoUtc, isLocalDate, requireSafeId } from '../../kernel/index.js';
import { inboxStatus, readInboxEvent } from '../../sari/inbox.js';
import { readEntries } from '../../flows/ledger/index.js';
import { bookingView } from '../../flows/read-models/booking-view.js';
import { receipt } from '../../flows/read-models/receipt.js';
import { hostStatement, statementCsv } from '../../flows/read-models/statement.js';
import { decisionsOfBooking, readDecision } from '../../flows/evidence/decisions.js';
import { listPolicyVersions } from '../../flows/evidence/policy-versions.js';
import { creditLotsOf, usedFromLot } from '../../flows/booking/credits.js';
import { heldIn } from '../../flows/booking/postings.js';
import { chart } from '../../flows/vocabulary.js';
import { allIntents } from '../../flows/outbox/intents.js';
import { getBooking } from '../../flows/booking/store.js';
import { bookingConstraints, checkAt, nextPayoutAt, previewCancellation } from '../../pipeline/preview.js';
import { parseModifyPreviewQuery, previewModification } from '../../pipeline/preview-modify.js';
import { disputeEvidenceView } from '../../pipeline/handlers/dispute-contest.js';
import { requireQuery, route, type SignedFor } from '../app.js';
import type { Services } from '../services.js';
import { subscriptionPreview } from './subscriptions.js';

export function readRoutes(s: Services, mw: { signedFor: SignedFor }): Router {
  const r = Router();
  const notFound = (what: string): never => {
    throw new DomainError('not_found', `${what} not found`);
  };

  r.get('/inbox/:source/:eventId', ...mw.signedFor('GET /inbox/:source/:eventId'), route(async (req, res) => {
    const source = String(req.params.source);
    if (source !== 'stripe' && source !== 'booking' && source !== 'clock') throw new DomainError('validation_failed', 'source must be stripe, booking or clock', { field: 'source' });
    const ev = await readInboxEvent(s.db, source, requireSafeId(req.params.eventId, 'eventId'));
    if (!ev) return notFound(`event ${source}/${requireSafeId(req.params.eventId, 'eventId')}`);
    const st = await inboxStatus(s.db, ev.id);
    res.json({ source, event_id: ev.event_id, type: ev.type, occurred_at: ev.occurred_at, received_at: ev.received_at, inbox_seq: ev.id, stream_key: ev.stream_key, ...st });
  }));

  r.get('/ledger/entries', ...mw.signedFor('GET /ledger/entries'), route(async (req, res) => {
    const booking_id = requireSafeId(requireQuery(req, 'booking_id'), 'booking_id');
    res.json({ booking_id, entries: await readEntries(s.db, { booking_id }) });
  }));

  r.get('/preview/outcome', ...mw.signedFor('GET /preview/outcome'), route(async (req, res) => {
    const q = { query: req.query }; // parsed once (Express 5 parses it on every read of req.query)
    const action = requireQuery(q, 'action');
    if (action === 'modify') {
      const m = parseModifyPreviewQuery(q.query as Record<string, unknown>);
      res.json(await previewModification(s.db, m, checkAt(m.at, s.now_ms()), s.previews));
      return;
    }
    const at = checkAt(typeof q.query.at === 'string' ? q.query.at : undefined, s.now_ms());
    const sub = await subscriptionPreview(s.db, req, action, at);
    if (sub !== undefined) return void res.json(sub);
    if (action !== 'cancel') throw new DomainError('validation_failed', 'action must be cancel, modify, cancel_subscription or change_plan', { field: 'action' });
    const by = requireQuery(q, 'by');
    if (by !== 'guest' && by !== 'host') throw new DomainError('validation_failed', 'by must be guest or host', { field: 'by' });
    res.json(await previewCancellation(s.db, requireSafeId(requireQuery(q, 'booking_id'), 'booking_id'), by, at, s.previews));
  }));

  r.get('/constraints', ...mw.signedFor('GET /constraints'), route(async (req, res) => {
    const at = checkAt(typeof req.query.at === 'string' ? req.query.at : undefined, s.now_ms());
    res.json(await bookingConstraints(s.db, requireSafeId(requireQuery(req, 'booking_id'), 'booking_id'), at, s.previews));
  }));

  r.get('/bookings/:id', ...mw.signedFor('GET /bookings/:id'), route(async (req, res) => {
    const view = await bookingView(s.db, requireSafeId(req.params.id, 'id'), (b, money) => nextPayoutAt(s.db, b, money));
    res.json(view ?? notFound(`booking ${requireSafeId(req.params.id, 'id')}`));
  }));

  r.get('/bookings/:id/dispute-evidence', ...mw.signedFor('GET /bookings/:id/dispute-evidence'), route(async (req, res) => {
    res.json(await disputeEvidenceView(s.db, requireSafeId(req.params.id, 'id'), formatIsoUtc(s.now_ms())));
  }));

  r.get('/bookings/:id/receipt', ...mw.signedFor('GET /bookings/:id/receipt'), route(async (req, res) => {
    res.json((await receipt(s.db, requireSafeId(req.params.id, 'id'))) ?? notFound(`booking ${requireSafeId(req.params.id, 'id')}`));
  }));

  r.get('/bookings/:id/evidence', ...mw.signedFor('GET /bookings/:id/evidence'), route(async (req, res) => {
    const id = requireSafeId(req.params.id, 'id');
    if (!(await getBooking(s.db, id))) return notFound(`booking ${id}`);
    res.json({ booking_id: id, decisions: await decisionsOfBooking(s.db, id) });
  }));

  r.get('/evidence/:decisionId', ...mw.signedFor('GET /evidence/:decisionId'), route(async (req, res) => {
    res.json((await readDecision(s.db, requireSafeId(req.params.decisionId, 'decisionId'))) ?? notFound(`decision ${requireSafeId(req.params.decisionId, 'decisionId')}`));
  }));

  r.get('/hosts/:id/statement', ...mw.signedFor('GET /hosts/:id/statement'), route(async (req, res) => {
    const from = typeof req.query.from === 'string' && req.query.from ? req.query.from : '0000-01-01';
    const to = typeof req.query.to === 'string' && req.query.to ? req.query.to : '9999-12-31';
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (!isLocalDate(v) && !(v === '0000-01-01' || v === '9999-12-31')) throw new DomainError('validation_failed', `${name} must be a date YYYY-MM-DD`, { field: name });
    }
    if (from > to) throw new DomainError('validation_failed', 'from must not be after to', { field: 'from' });
    const statement = await hostStatement(s.db, requireSafeId(req.params.id, 'id'), from, to);
    if (req.query.format === 'csv' || (req.accepts(['application/json', 'text/csv']) === 'text/csv' && req.query.format !== 'json')) {
      res.type('text/csv').setHeader('Content-Disposition', `attachment; filename="statement-${requireSafeId(req.params.id, 'id')}-${from}-${to}.csv"`);
      res.send(statementCsv(statement));
      return;
    }
    res.json(statement);
  }));

  r.get('/guests/:id/credits', ...mw.signedFor('GET /guests/:id/credits'), route(async (req, res) => {
    const guest_id = requireSafeId(req.params.id, 'id');
    const lots = await Promise.all((await creditLotsOf(s.db, guest_id)).map(async (l) => ({ ...l, used: await usedFromLot(s.db, l.lot_id) })));
    // The balance is the ledger's (non-cash unit CREDIT); credits never have a cash value.
    res.json({ guest_id, unit: 'CREDIT', balance: await heldIn(s.db, chart.guestCredits(guest_id)), cash_value: null, lots });
  }));

  r.get('/policies', ...mw.signedFor('GET /policies'), route(async (_req, res) => {
    const all = await listPolicyVersions(s.db);
    res.json({ policies: all.map((p) => ({ kind: p.kind, id: p.id, version: p.version, hash: p.hash, published_seq: p.seq })) });
  }));

  r.get('/policies/:id/:version', ...mw.signedFor('GET /policies/:id/:version'), route(async (req, res) => {
    const version = Number(String(req.params.version).replace(/^v/, ''));
    if (!Number.isInteger(version) || version < 1) throw new DomainError('validation_failed', 'version must be a positive integer', { field: 'version' });
    const id = requireSafeId(req.params.id, 'id');
    const kind = typeof req.query.kind === 'string' ? req.query.kind : undefined;
    const matches = (await listPolicyVersions(s.db)).filter((p) => p.id === id && p.version === version && (!kind || p.kind === kind));
    if (matches.length === 0) return notFound(`policy ${id} v${version}`);
    res.json(matches.length === 1 ? matches[0] : { ambiguous: true, hint: 'add ?kind=', versions: matches });
  }));

  r.get('/outbox', ...mw.signedFor('GET /outbox'), route(async (req, res) => {
    const status = typeof req.query.status === 'string' ? req.query.status : undefined;
    res.json({ intents: await allIntents(s.db, status) });
  }));
  return r;
}
