// A replica for the lease test: dispatches one database's inbox only while it holds the lease,
// a few events at a time, printing what it does (one JSON line each) until the inbox is drained.
//   node --import tsx lease-child.test-helper.ts <target json> <holder> <ttl_ms> <beat_ms>
import { pino } from 'pino';
import { openDb } from '../../db/connect.js';
import type { DatabaseTarget } from '../../db/database-url.js';
import { Dispatcher } from '../dispatcher.js';
import { DispatchLease } from './leasing.js';

const [target, holder, ttl, beat] = [JSON.parse(process.argv[2]!) as DatabaseTarget, process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])];
const db = openDb(target);
const lease = new DispatchLease(db, holder, { ttl_ms: ttl, beat_ms: beat });
const d = new Dispatcher(db, { logger: pino({ level: 'silent' }), batchSize: 3, lease });
const say = (x: unknown) => process.stdout.write(JSON.stringify(x) + '\n');
let idle = 0;
for (;;) {
  const n = await d.runOnce(true);
  if (n > 0) say({ holder, dispatched: n, at: Date.now() });
  const left = Number((await db('inbox_events as i').leftJoin('event_results as r', 'r.inbox_id', 'i.id').leftJoin('event_parkings as p', 'p.inbox_id', 'i.id').whereNull('r.id').whereNull('p.id').count({ n: '*' }).first())?.n);
  if (left === 0 && ++idle > 3) break;
  await new Promise((r) => setTimeout(r, n > 0 ? 40 : 100));
}
say({ holder, done: true });
await d.stop();
await db.destroy();
