/**
 * Runs last (e2e/run.sh): the server time of a block page with a warm cache, then with the sidecar
 * stopped — the page still renders, with the styled "unavailable" notice, and promptly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { env, launch, loggedIn } from '../lib/wp-browser.js';
import type { StoryResult } from '../story.js';

const base = env('WP_BASE_URL');
const artifacts = env('E2E_ARTIFACTS');
const story = JSON.parse(readFileSync(env('E2E_STORY'), 'utf8')) as StoryResult;

let browser: Browser;
let closeBrowser: () => Promise<void>;
before(async () => ({ browser, close: closeBrowser } = await launch()));
after(async () => closeBrowser?.());

function stopSidecar(): void {
  const pid = Number(readFileSync(env('SIDECAR_PIDFILE'), 'utf8').trim());
  process.kill(-pid, 'SIGTERM');
}

async function waitDown(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try { await fetch(url); } catch { return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the sidecar did not stop');
}

test('a block page: warm-cache server time, then the sidecar stopped: styled notice, page renders', async () => {
  const { context, page } = await loggedIn(browser, base, 'e2e_guest', env('E2E_USER_PASS'));
  try {
    const url = `${base}/receipt/?booking_id=${encodeURIComponent(story.bookingId)}`;
    const serverMs = async (): Promise<{ ms: number; html: string }> => {
      const started = performance.now();
      const response = await page.request.get(url);
      const html = await response.text();
      assert.equal(response.status(), 200);
      return { ms: Math.round(performance.now() - started), html };
    };
    const cold = await serverMs();
    const warm = [await serverMs(), await serverMs(), await serverMs()].map((r) => r.ms).sort((a, b) => a - b)[1]!;
    assert.match(cold.html, /data-field="net_paid_minor"/);

    stopSidecar();
    await waitDown(`${env('SIDECAR_URL')}/healthz`);
    // The cache holds the receipt for its TTL: with the sidecar gone, the cached page still shows it.
    const cachedWhileDown = await serverMs();
    assert.match(cachedWhileDown.html, /data-field="net_paid_minor"/, 'served from the cache while the sidecar is down');
    // A page whose reads are not cached (a preview is never kept) shows the calm notice.
    const previewUrl = `${base}/cancel-preview/?booking_id=${encodeURIComponent(story.bookingId)}`;
    const started = performance.now();
    await page.goto(previewUrl);
    const downMs = Math.round(performance.now() - started);
    const notice = page.locator('.wp-block-mybnb-cancellation-preview .mybnb-notice-unavailable');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Temporarily unavailable/);
    assert.equal(await page.locator('[data-amount-minor]').count(), 0);
    assert.ok(await page.locator('footer, .wp-site-blocks').first().isVisible(), 'the rest of the page renders');
    assert.equal(await page.evaluate<string>(`getComputedStyle(document.querySelector('.mybnb-notice-unavailable')).borderInlineStartStyle`), 'solid', 'styled');
    const content = await page.content();
    assert.ok(!/Warning:|Notice:|Fatal error/.test(content), 'no PHP warning on the page');
    await page.screenshot({ path: join(artifacts, 'guest-sidecar-stopped.png'), fullPage: true });

    const timings = { cold_ms: cold.ms, warm_median_ms: warm, cached_while_down_ms: cachedWhileDown.ms, preview_sidecar_down_ms: downMs };
    writeFileSync(join(artifacts, 'server-timings.json'), JSON.stringify(timings, null, 2) + '\n');
    console.log(`server timings: ${JSON.stringify(timings)}`);
    // Refused connections fail at once; the 3 s timeout bounds a hung sidecar. Generous for 2 shared cores.
    assert.ok(downMs < 8_000, `the page renders promptly with the sidecar down (${downMs} ms)`);
  } finally {
    await context.close();
  }
});
