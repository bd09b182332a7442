import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIsoUtc, localToUtc, parseIsoUtc } from '../../kernel/index.js';
import { latestCheckInDueBy } from './load.js';

// A tick reads only bookings whose check-in date is at most latestCheckInDueBy(tick): every payout
// that can be due by the tick must be among them, in the zones furthest from UTC and at the
// earliest check-in time, with no delay (the payout-timing schema allows a delay ≥ 0 only).
test('latestCheckInDueBy never leaves out a payout that can be due by the tick', () => {
  const zones = ['Pacific/Kiritimati', 'Pacific/Apia', 'Asia/Tokyo', 'UTC', 'America/New_York', 'Pacific/Pago_Pago', 'Etc/GMT+12'];
  let checked = 0;
  for (let day = 0; day < 40; day++) {
    const date = formatIsoUtc(parseIsoUtc('2026-03-15T00:00:00Z') + day * 86_400_000).slice(0, 10);
    for (const zone of zones) {
      for (const time of ['00:00', '00:30', '15:00', '23:59']) {
        const due_ms = localToUtc(date, time, zone); // delay 0: the earliest a payout falls due
        for (const after_ms of [0, 1000, 3_600_000]) {
          const tick = formatIsoUtc(due_ms + after_ms);
          assert.ok(date <= latestCheckInDueBy(tick), `check-in ${date} ${time} ${zone} is due at ${formatIsoUtc(due_ms)}: a tick at ${tick} must read it`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 3000);
  // and it does leave out stays far ahead (the point of the bound)
  assert.equal(latestCheckInDueBy('2026-09-15T00:00:00Z'), '2026-09-16');
});
