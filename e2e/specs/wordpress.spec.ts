/**
 * The WordPress side, in a real WordPress and Debian's Chromium (run by e2e/run.sh, which prepares
 * the site, the sidecar, the story, the users and the pages, and passes them in the environment).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signedGetJson, signedRequest, type SidecarKey } from '../lib/signed-http.js';
import type { StoryResult } from '../story.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (run through e2e/run.sh)`);
  return value;
}

const base = env('WP_BASE_URL');
const artifacts = env('E2E_ARTIFACTS');
const story = JSON.parse(readFileSync(env('E2E_STORY'), 'utf8')) as StoryResult;
const sidecarUrl = env('SIDECAR_URL');
const reader: SidecarKey = { keyId: env('READER_KEY_ID'), secret: env('READER_SECRET') };
const userPass = env('E2E_USER_PASS');

type Preview = {
  allowed: boolean;
  rule: { policy: string; version: number; hash: string };
  outcome: Record<string, unknown> & { currency: string };
  outcome_hash: string;
  valid_until: string | null;
};
type Totals = Record<string, unknown> & { currency: string };
type Statement = { totals: Totals[] };

const STATEMENT_COLUMNS = ['gross_minor', 'host_fee_minor', 'refunds_minor', 'reversals_minor', 'penalties_minor', 'transfers_minor', 'net_minor'];

let browser: Browser;
let userDataDir: string;

before(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'mybnb-e2e-chromium-'));
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

async function loggedIn(user: string, pass: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Land on the front page after login: it is light, and the same for every role.
  await page.goto(`${base}/wp-login.php?redirect_to=${encodeURIComponent(`${base}/`)}`);
  await page.fill('#user_login', user);
  await page.fill('#user_pass', pass);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php'), { timeout: 30_000, waitUntil: 'domcontentloaded' }),
    page.click('#wp-submit'),
  ]);
  const cookies = await context.cookies();
  assert.ok(cookies.some((c) => c.name.startsWith('wordpress_logged_in_')), `${user} is logged in`);
  return { context, page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

async function amount(page: Page, scope: string, field: string): Promise<number | null> {
  const cell = page.locator(`${scope} [data-field="${field}"]`).first();
  const value = await cell.getAttribute('data-amount-minor');
  return value === null ? null : Number(value);
}

describe('guest', () => {
  test('the preview page shows the same amounts, rule and hash as the sidecar', async () => {
    const { context, page, errors } = await loggedIn('e2e_guest', userPass);
    try {
      const path = `/preview/outcome?action=cancel&booking_id=${encodeURIComponent(story.bookingId)}&by=guest`;
      const expected = await signedGetJson<Preview>(sidecarUrl, reader, path);
      await page.goto(`${base}/cancel-preview/?booking_id=${encodeURIComponent(story.bookingId)}`);
      const block = page.locator('.wp-block-mybnb-cancellation-preview');
      await block.waitFor();
      assert.equal(await block.getAttribute('data-outcome-hash'), expected.outcome_hash);
      assert.equal(await amount(page, '.wp-block-mybnb-cancellation-preview', 'refund_to_guest'), expected.outcome.refund_to_guest);
      // credits are a count, never money
      const credits = page.locator('.wp-block-mybnb-cancellation-preview [data-field="credit_to_guest"]');
      assert.equal(Number(await credits.getAttribute('data-credits')), expected.outcome.credit_to_guest);
      assert.match(await credits.innerText(), /credits?$/);
      assert.equal(await credits.getAttribute('data-amount-minor'), null);
      // The rule sits behind "Details": read its text whether or not the disclosure is open.
      assert.equal(await page.locator('[data-field="policy"]').textContent(), expected.rule.policy);
      assert.equal(await page.locator('[data-field="rule_hash"]').getAttribute('title'), expected.rule.hash);
      if (expected.allowed) {
        const href = await page.locator('a.mybnb-cancel').getAttribute('href');
        assert.ok(href?.includes(encodeURIComponent(expected.outcome_hash)), `Cancel link carries the hash: ${href}`);
        assert.ok(href?.includes(encodeURIComponent(story.bookingId)));
      }
      if (expected.valid_until) {
        const live = page.locator('.mybnb-countdown');
        assert.equal(await live.getAttribute('aria-live'), 'polite');
        assert.match(await live.innerText(), /left|expired/);
      }
      // The view script ran and its own REST read (cookie + nonce) agreed with the page.
      await page.waitForSelector('.wp-block-mybnb-cancellation-preview[data-hydrated="true"]', { timeout: 15_000 });
      assert.equal(await block.getAttribute('data-outcome-hash'), expected.outcome_hash);
      await shot(page, 'guest-cancellation-preview');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the booking summary and receipt show the sidecar\'s totals', async () => {
    const { context, page } = await loggedIn('e2e_guest', userPass);
    try {
      const id = encodeURIComponent(story.bookingId);
      const booking = await signedGetJson<Record<string, unknown>>(sidecarUrl, reader, `/bookings/${id}`);
      await page.goto(`${base}/booking/?booking_id=${id}`);
      await page.locator('.wp-block-mybnb-booking-summary').waitFor();
      for (const field of ['total_minor', 'paid_minor', 'refunded_minor']) {
        assert.equal(await amount(page, '.wp-block-mybnb-booking-summary', field), booking[field], field);
      }
      await shot(page, 'guest-booking-summary');
      const receipt = await signedGetJson<Record<string, unknown>>(sidecarUrl, reader, `/bookings/${id}/receipt`);
      await page.goto(`${base}/receipt/?booking_id=${id}`);
      await page.locator('.wp-block-mybnb-receipt').waitFor();
      assert.equal(await amount(page, '.wp-block-mybnb-receipt', 'net_paid_minor'), receipt['net_paid_minor']);
      assert.equal(await page.locator('button.mybnb-print').isVisible(), true, 'print button shown once hydrated');
      await shot(page, 'guest-receipt');
    } finally {
      await context.close();
    }
  });
});

describe('another guest', () => {
  test('sees no data on the same pages, and the REST route refuses', async () => {
    const { context, page } = await loggedIn('e2e_other_guest', userPass);
    try {
      const id = encodeURIComponent(story.bookingId);
      const preview = await signedGetJson<Preview>(sidecarUrl, reader, `/preview/outcome?action=cancel&booking_id=${id}&by=guest`);
      for (const slug of ['cancel-preview', 'booking', 'receipt']) {
        await page.goto(`${base}/${slug}/?booking_id=${id}`);
        await page.locator('.mybnb-notice-forbidden').waitFor();
        assert.equal(await page.locator('[data-amount-minor]').count(), 0, `${slug}: no amounts`);
        assert.ok(!(await page.content()).includes(preview.outcome_hash.slice(7, 19)), `${slug}: no hash`);
        await shot(page, `other-guest-${slug}`);
      }
      // Cookie auth needs a REST nonce; WordPress hands one to logged-in users at this action.
      const nonce = await (await page.request.get(`${base}/wp-admin/admin-ajax.php?action=rest-nonce`)).text();
      assert.match(nonce, /^[0-9a-f]{10}$/);
      const rest = await page.request.get(`${base}/wp-json/mybnb/v1/bookings/${id}/preview`, { headers: { 'X-WP-Nonce': nonce } });
      assert.equal(rest.status(), 403);
      assert.ok(!(await rest.text()).includes(preview.outcome_hash));
    } finally {
      await context.close();
    }
  });

  test('anonymous visitors are asked to log in and get 401 from REST', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/cancel-preview/?booking_id=${encodeURIComponent(story.bookingId)}`);
      await page.locator('.mybnb-notice-login').waitFor();
      assert.equal(await page.locator('[data-amount-minor]').count(), 0);
      await shot(page, 'anonymous-cancellation-preview');
      const rest = await page.request.get(`${base}/wp-json/mybnb/v1/bookings/${encodeURIComponent(story.bookingId)}`);
      assert.equal(rest.status(), 401);
    } finally {
      await context.close();
    }
  });
});

describe('host', () => {
  test('the statement totals equal the sidecar\'s, and the CSV is the sidecar\'s', async () => {
    const { context, page } = await loggedIn('e2e_host', userPass);
    try {
      const query = `from=${story.from}&to=${story.to}`;
      const expected = await signedGetJson<Statement>(sidecarUrl, reader, `/hosts/${encodeURIComponent(story.hostId)}/statement?${query}`);
      await page.goto(`${base}/statement/?mybnb_from=${story.from}&mybnb_to=${story.to}`);
      await page.locator('.wp-block-mybnb-payout-statement table.mybnb-statement').waitFor();
      assert.equal(await page.locator('tr.mybnb-total-row').count(), expected.totals.length);
      for (const totals of expected.totals) {
        const row = `tr.mybnb-total-row[data-currency="${totals.currency}"]`;
        for (const column of STATEMENT_COLUMNS) {
          assert.equal(await amount(page, row, column), totals[column], `${totals.currency} ${column}`);
        }
      }
      await shot(page, 'host-payout-statement');
      const csvHref = await page.locator('a.mybnb-csv').getAttribute('href');
      assert.ok(csvHref);
      const csv = await page.request.get(csvHref);
      assert.equal(csv.status(), 200);
      assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
      const sidecarCsv = await signedRequest(sidecarUrl, reader, 'GET', `/hosts/${encodeURIComponent(story.hostId)}/statement?${query}&format=csv`);
      assert.equal(await csv.text(), sidecarCsv.text);

      // Another period through the form: the view script re-reads it over REST and redraws in place.
      const from = new Date(Date.now() - 15 * 86_400_000).toISOString().slice(0, 10);
      const to = new Date().toISOString().slice(0, 10);
      const narrower = await signedGetJson<Statement>(sidecarUrl, reader, `/hosts/${encodeURIComponent(story.hostId)}/statement?from=${from}&to=${to}`);
      await page.fill('input[name="mybnb_from"]', from);
      await page.fill('input[name="mybnb_to"]', to);
      await page.click('form.mybnb-period button[type="submit"]');
      await page.waitForFunction(`document.querySelector('.wp-block-mybnb-payout-statement').dataset.from === ${JSON.stringify(from)}`);
      assert.ok(page.url().includes(`mybnb_from=${from}`), 'stayed on the page, address updated');
      assert.equal(await page.locator('tr.mybnb-total-row').count(), narrower.totals.length);
      for (const totals of narrower.totals) {
        for (const column of STATEMENT_COLUMNS) {
          assert.equal(await amount(page, `tr.mybnb-total-row[data-currency="${totals.currency}"]`, column), totals[column], `narrower ${totals.currency} ${column}`);
        }
      }
      assert.ok((await page.locator('a.mybnb-csv').getAttribute('href'))?.includes(`from=${from}`), 'CSV link follows the period');
      await shot(page, 'host-payout-statement-period');
    } finally {
      await context.close();
    }
  });
});

describe('editor', () => {
  const blocks = [
    ['mybnb/booking-summary', 'Booking summary'],
    ['mybnb/cancellation-preview', 'Cancellation preview'],
    ['mybnb/receipt', 'Receipt'],
    ['mybnb/payout-statement', 'Payout statement'],
  ] as const;

  test('each block inserts from the inserter without a warning', async () => {
    const { context, page, errors } = await loggedIn(env('WP_ADMIN_USER'), env('WP_ADMIN_PASS'));
    try {
      await page.goto(`${base}/wp-admin/post-new.php`);
      await page.waitForSelector('.editor-editor-interface, .edit-post-layout', { timeout: 60_000 });
      await page.waitForFunction('window.wp && window.wp.blocks && window.wp.data && window.wp.data.select("core/block-editor")');
      await page.evaluate('window.wp.data.dispatch("core/preferences").set("core/edit-post", "welcomeGuide", false)');
      // A welcome guide or a pattern chooser may open over a new post: close whatever modal is up.
      await page.waitForTimeout(1500);
      for (let i = 0; i < 3 && (await page.locator('.components-modal__frame').count()) > 0; i++) {
        await page.locator('.components-modal__frame button[aria-label="Close"]').first().click().catch(() => page.keyboard.press('Escape'));
        await page.waitForTimeout(300);
      }
      const canvas = (await page.locator('iframe[name="editor-canvas"]').count()) > 0 ? page.frameLocator('iframe[name="editor-canvas"]') : page;
      for (const [name, title] of blocks) {
        assert.equal(await page.evaluate(`!!window.wp.blocks.getBlockType(${JSON.stringify(name)})`), true, `${name} registered`);
        await page.getByRole('button', { name: /^(block inserter|toggle block inserter)$/i }).first().click();
        const search = page.locator('.block-editor-inserter__search input, .block-editor-inserter__menu input[type="search"]').first();
        await search.waitFor();
        await search.fill(title);
        await page.locator('.block-editor-block-types-list__item', { hasText: title }).first().click();
        const inserted = canvas.locator(`[data-type="${name}"]`);
        await inserted.first().waitFor({ timeout: 30_000 });
        // The server-side render arrives: the block shows the plugin's own markup.
        await inserted.locator('.mybnb-block').first().waitFor({ timeout: 30_000 });
        const inserterOpen = page.locator('.block-editor-inserter__main-area, .editor-inserter-sidebar');
        if (await inserterOpen.count()) await page.keyboard.press('Escape');
        if (name === 'mybnb/cancellation-preview') {
          // Its settings drive the server rendering in the canvas: the admin sees the real preview.
          const expected = await signedGetJson<Preview>(sidecarUrl, reader, `/preview/outcome?action=cancel&booking_id=${encodeURIComponent(story.bookingId)}&by=guest`);
          await page.getByLabel('Booking id').fill(story.bookingId);
          const refund = inserted.locator('[data-field="refund_to_guest"]');
          await refund.waitFor({ timeout: 30_000 });
          assert.equal(Number(await refund.getAttribute('data-amount-minor')), expected.outcome['refund_to_guest']);
          await shot(page, 'editor-cancellation-preview');
        }
      }
      assert.equal(await canvas.locator('.block-editor-warning').count(), 0, 'no block warnings');
      const valid = await page.evaluate('window.wp.data.select("core/block-editor").getBlocks().filter(b => b.name.startsWith("mybnb/")).map(b => b.name + ":" + b.isValid)');
      assert.deepEqual(valid, blocks.map(([name]) => `${name}:true`));
      await shot(page, 'editor-all-blocks');
      assert.deepEqual(errors.filter((e) => /mybnb/i.test(e)), []);
    } catch (error) {
      await shot(page, 'editor-failure');
      throw error;
    } finally {
      await context.close();
    }
  });
});
