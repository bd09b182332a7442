/**
 * Issue #17 in a real WordPress and Chromium (run by e2e/run.sh after wordpress.spec.ts, on the
 * plugin installed from its zip): profile mapping by an admin (refused for a subscriber), My
 * bookings, the host-side preview, Test connection, Site Health, the fr_FR site, keyboard-only
 * preview, print styles, axe on every block's page, and the pictures of each block.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { signedGetJson, type SidecarKey } from '../lib/signed-http.js';
import { env, launch, loggedIn, wpEval } from '../lib/wp-browser.js';
import type { StoryResult } from '../story.js';

const base = env('WP_BASE_URL');
const artifacts = env('E2E_ARTIFACTS');
const story = JSON.parse(readFileSync(env('E2E_STORY'), 'utf8')) as StoryResult;
const sidecarUrl = env('SIDECAR_URL');
const reader: SidecarKey = { keyId: env('READER_KEY_ID'), secret: env('READER_SECRET') };
const userPass = env('E2E_USER_PASS');
const pictures = process.env['E2E_PICTURES_DIR'] ?? '';
const id = encodeURIComponent(story.bookingId);

type GuestBookings = { bookings: Array<{ booking_id: string; total_minor: number; paid_minor: number }>; next_cursor: string | null };

let browser: Browser;
let closeBrowser: () => Promise<void>;
before(async () => ({ browser, close: closeBrowser } = await launch()));
after(async () => {
  wpEval('update_option("WPLANG", "");');
  await closeBrowser?.();
});

/** A block as a picture: in artifacts always, and in docs/images when pictures are asked for. */
async function picture(page: Page, selector: string, name: string): Promise<void> {
  const file = join(artifacts, `block-${name}.png`);
  await page.locator(selector).first().screenshot({ path: file });
  if (pictures) {
    mkdirSync(pictures, { recursive: true });
    copyFileSync(file, join(pictures, `${name}.png`));
  }
}

/** axe on the block's own markup: no serious or critical violation. */
async function axeClean(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).include('.mybnb-block').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `${what}: axe`);
}

describe('profile mapping', () => {
  test('an admin maps a user to a guest; that user then sees their bookings; a subscriber cannot map themselves', async () => {
    const admin = await loggedIn(browser, base, env('WP_ADMIN_USER'), env('WP_ADMIN_PASS'));
    try {
      const userId = wpEval('echo get_user_by("login", "e2e_unmapped")->ID;').trim();
      await admin.page.goto(`${base}/wp-admin/user-edit.php?user_id=${userId}`);
      await admin.page.fill('#mybnb_guest_id', story.guestId);
      await admin.page.click('#submit');
      await admin.page.locator('#message, .notice-success').first().waitFor();
      assert.equal(await admin.page.inputValue('#mybnb_guest_id'), story.guestId);
      await admin.page.locator('#mybnb-profile').scrollIntoViewIfNeeded();
      await admin.page.screenshot({ path: join(artifacts, 'admin-profile-mapping.png') });
    } finally {
      await admin.context.close();
    }
    const expected = await signedGetJson<GuestBookings>(sidecarUrl, reader, `/guests/${encodeURIComponent(story.guestId)}/bookings?limit=10`);
    assert.ok(expected.bookings.length >= 2, 'the story has several bookings for the guest');
    const mapped = await loggedIn(browser, base, 'e2e_unmapped', userPass);
    try {
      await mapped.page.goto(`${base}/my-bookings/`);
      await mapped.page.locator('.wp-block-mybnb-my-bookings table').waitFor();
      const rows = mapped.page.locator('tr.mybnb-booking-row');
      assert.equal(await rows.count(), expected.bookings.length);
      for (const [i, b] of expected.bookings.entries()) {
        assert.equal(await rows.nth(i).getAttribute('data-booking-id'), b.booking_id);
        assert.equal(Number(await rows.nth(i).locator('[data-field="total_minor"]').getAttribute('data-amount-minor')), b.total_minor);
      }
      assert.ok((await rows.first().locator('a').getAttribute('href'))?.includes(`booking_id=${encodeURIComponent(expected.bookings[0]!.booking_id)}`));
      await axeClean(mapped.page, 'my bookings');
      await picture(mapped.page, '.wp-block-mybnb-my-bookings', 'guest-my-bookings');
    } finally {
      await mapped.context.close();
    }

    // The subscriber's own profile: no editable field, and a forged field is ignored.
    const sub = await loggedIn(browser, base, 'e2e_other_guest', userPass);
    try {
      await sub.page.goto(`${base}/wp-admin/profile.php`);
      assert.equal(await sub.page.locator('input[name="mybnb_guest_id"]').count(), 0, 'no editable mapping for a subscriber');
      await sub.page.evaluate(`(() => {
        const form = document.querySelector('form#your-profile');
        for (const [name, value] of [['mybnb_guest_id', ${JSON.stringify(story.guestId)}], ['mybnb_user_ids', 'forged']]) {
          const input = document.createElement('input');
          input.type = 'hidden'; input.name = name; input.value = value;
          form.appendChild(input);
        }
      })()`);
      await sub.page.click('#submit');
      await sub.page.waitForLoadState('domcontentloaded');
      const meta = wpEval('echo get_user_meta(get_user_by("login", "e2e_other_guest")->ID, "mybnb_guest_id", true);').trim();
      assert.equal(meta, story.otherGuestId, 'the forged mapping was refused');
      await sub.page.goto(`${base}/my-bookings/`);
      await sub.page.locator('.wp-block-mybnb-my-bookings').waitFor();
      assert.equal(await sub.page.locator('tr.mybnb-booking-row').count(), 0);
    } finally {
      await sub.context.close();
    }
  });
});

describe('guest pages', () => {
  test('every block page is axe-clean; the preview works with the keyboard alone; receipts print cleanly', async () => {
    const { context, page, errors } = await loggedIn(browser, base, 'e2e_guest', userPass);
    try {
      for (const [path, selector, name] of [
        [`/booking/?booking_id=${id}`, '.wp-block-mybnb-booking-summary', 'guest-booking-summary'],
        [`/receipt/?booking_id=${id}`, '.wp-block-mybnb-receipt', 'guest-receipt'],
        [`/cancel-preview/?booking_id=${id}`, '.wp-block-mybnb-cancellation-preview', 'guest-cancellation-preview'],
      ] as const) {
        await page.goto(base + path);
        await page.locator(`${selector} table`).first().waitFor();
        await axeClean(page, name);
        await picture(page, selector, name);
      }
      // On the preview page now: a guest reads no host field.
      const block = page.locator('.wp-block-mybnb-cancellation-preview');
      assert.equal(await block.locator('[data-field="host_payout"], [data-field="host_penalty"]').count(), 0);
      assert.equal(await block.locator('.mybnb-explanation').count(), 0, 'the sidecar\'s host-side explanation is not shown to a guest');
      // Keyboard only: Tab reaches the Details disclosure, Enter opens it, Tab reaches the Cancel link.
      const details = block.locator('details.mybnb-details');
      assert.equal(await details.getAttribute('open'), null);
      let reached = false;
      for (let i = 0; i < 60 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate<boolean>(`!!document.activeElement && document.activeElement.matches('.mybnb-details summary')`);
      }
      assert.ok(reached, 'Tab reaches Details');
      await page.keyboard.press('Enter');
      assert.notEqual(await details.getAttribute('open'), null, 'Enter opens Details');
      const hash = await block.getAttribute('data-outcome-hash');
      assert.equal(await block.locator('[data-field="outcome_hash"]').getAttribute('title'), hash);
      await page.keyboard.press('Shift+Tab');
      const onCancel = await page.evaluate<boolean>(`!!document.activeElement && document.activeElement.matches('a.mybnb-cancel')`);
      if (await block.locator('a.mybnb-cancel').count()) {
        assert.ok(onCancel, 'Shift+Tab from Details is the Cancel link');
        const focusOutline = await page.evaluate<string>(`getComputedStyle(document.activeElement).outlineStyle`);
        assert.notEqual(focusOutline, 'none', 'the focused link shows where focus is');
      }
      await picture(page, '.wp-block-mybnb-cancellation-preview', 'guest-cancellation-preview-details');

      // Print: the receipt without its buttons, black on white.
      await page.goto(`${base}/receipt/?booking_id=${id}`);
      await page.locator('.wp-block-mybnb-receipt button.mybnb-print:not([hidden])').waitFor();
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.wp-block-mybnb-receipt .mybnb-actions').isVisible(), false, 'no buttons on paper');
      assert.equal(await page.evaluate<string>(`getComputedStyle(document.querySelector('.wp-block-mybnb-receipt')).color`), 'rgb(0, 0, 0)');
      await page.pdf({ path: join(artifacts, 'guest-receipt.pdf') });
      await page.emulateMedia({ media: 'screen' });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe('host pages', () => {
  test('the host-side preview and the statement are axe-clean and print cleanly', async () => {
    const { context, page } = await loggedIn(browser, base, 'e2e_host', userPass);
    try {
      const expected = await signedGetJson<{ outcome: Record<string, number> }>(sidecarUrl, reader, `/preview/outcome?action=cancel&booking_id=${id}&by=host`);
      await page.goto(`${base}/cancel-preview-host/?booking_id=${id}`);
      const block = page.locator('.wp-block-mybnb-cancellation-preview');
      await block.locator('table').waitFor();
      assert.equal(Number(await block.locator('[data-field="host_penalty"]').getAttribute('data-amount-minor')), expected.outcome['host_penalty']);
      await axeClean(page, 'host preview');
      await picture(page, '.wp-block-mybnb-cancellation-preview', 'host-cancellation-preview');
      await page.goto(`${base}/statement/?mybnb_from=${story.from}&mybnb_to=${story.to}`);
      await page.locator('.wp-block-mybnb-payout-statement table.mybnb-statement').waitFor();
      await axeClean(page, 'statement');
      await picture(page, '.wp-block-mybnb-payout-statement', 'host-payout-statement');
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.wp-block-mybnb-payout-statement form.mybnb-period').isVisible(), false, 'no form on paper');
      await page.pdf({ path: join(artifacts, 'host-statement.pdf'), landscape: true });
    } finally {
      await context.close();
    }
  });
});

describe('admin', () => {
  test('Test connection shows the key\'s role and the clock skew; Site Health runs the three tests', async () => {
    const { context, page } = await loggedIn(browser, base, env('WP_ADMIN_USER'), env('WP_ADMIN_PASS'));
    try {
      await page.goto(`${base}/wp-admin/options-general.php?page=mybnb-payments`);
      const secretField = await page.locator('#mybnb-secret').inputValue();
      assert.ok(!secretField.includes(env('READER_SECRET')), 'the secret is never printed back');
      assert.ok(!(await page.content()).includes(env('READER_SECRET')));
      await page.click('#mybnb-test-connection');
      const result = page.locator('#mybnb-test-result');
      await result.waitFor();
      const text = await result.innerText();
      assert.match(text, /role: reader/);
      assert.match(text, /Clock skew: [+-]\d+ s/);
      assert.match(await result.getAttribute('class') ?? '', /notice-success/);
      await page.screenshot({ path: join(artifacts, 'admin-test-connection.png'), fullPage: true });

      await page.goto(`${base}/wp-admin/site-health.php`);
      for (const label of ['The MyBnB Payments sidecar is reachable', 'The MyBnB Payments sidecar accepts this site\'s signature', 'The MyBnB Payments sidecar uses http, allowed in development']) {
        await page.getByText(label).first().waitFor({ state: 'attached', timeout: 60_000 });
      }
      // Open "Passed tests" and our tests' entries, so the picture shows what they say.
      await page.locator('.site-health-view-passed').click().catch(() => undefined);
      const ours = page.locator('#health-check-issues-good .health-check-accordion-trigger', { hasText: 'MyBnB Payments' });
      for (let i = 0; i < await ours.count(); i++) await ours.nth(i).click();
      assert.ok((await page.locator('#health-check-issues-good').innerText()).includes('Key wp1 with role reader'), 'the signature test names the key and role');
      await page.screenshot({ path: join(artifacts, 'admin-site-health.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

describe('the site in French', () => {
  test('switching the site to fr_FR translates the blocks, their scripts, amounts and dates', async () => {
    // Offline, WordPress's own French pack cannot be downloaded: a header-only core fr_FR.mo makes
    // WordPress offer the language (every string below comes from the plugin's own files).
    wpEval('wp_mkdir_p(WP_LANG_DIR); $mo = new MO(); $mo->set_header("Language", "fr_FR"); $mo->set_header("Plural-Forms", "nplurals=2; plural=n > 1;"); $mo->export_to_file(WP_LANG_DIR . "/fr_FR.mo");');
    const admin = await loggedIn(browser, base, env('WP_ADMIN_USER'), env('WP_ADMIN_PASS'));
    try {
      // The admin switches the site's language in Settings → General, as a site admin would.
      await admin.page.goto(`${base}/wp-admin/options-general.php`);
      await admin.page.selectOption('#WPLANG', 'fr_FR');
      await admin.page.click('#submit');
      await admin.page.waitForLoadState('domcontentloaded');
      assert.equal(wpEval('echo get_option("WPLANG");').trim(), 'fr_FR');
    } finally {
      await admin.context.close();
    }
    const { context, page, errors } = await loggedIn(browser, base, 'e2e_guest', userPass);
    try {
      await page.goto(`${base}/cancel-preview/?booking_id=${id}`);
      const block = page.locator('.wp-block-mybnb-cancellation-preview');
      await block.locator('table').waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'fr-FR');
      assert.equal(await block.locator('h3.mybnb-title').innerText(), 'Si vous annulez maintenant');
      assert.equal(await block.locator('details summary').innerText(), 'Détails');
      const refund = await block.locator('[data-field="refund_to_guest"]').innerText();
      assert.match(refund, /^\d{1,3}(?:[\s\u202f\u00a0]\d{3})*,\d{2}[\s\u202f\u00a0]\$(US)?$/u, `French amount: ${refund}`);
      assert.match(await block.locator('.mybnb-valid time').innerText(), /\d{4} à \d{2}:\d{2}/, 'French date and 24 h time');
      // The view script's own strings come from the JSON translation: the countdown says "encore …".
      await page.waitForSelector('.wp-block-mybnb-cancellation-preview[data-hydrated="true"]', { timeout: 15_000 });
      assert.match(await block.locator('.mybnb-countdown').innerText(), /encore|moins d’une minute|expiré/);
      await axeClean(page, 'French preview');
      await picture(page, '.wp-block-mybnb-cancellation-preview', 'guest-cancellation-preview-fr');
      await page.goto(`${base}/my-bookings/`);
      await page.locator('.wp-block-mybnb-my-bookings caption').waitFor();
      assert.equal(await page.locator('.wp-block-mybnb-my-bookings caption').innerText(), 'Mes réservations');
      await picture(page, '.wp-block-mybnb-my-bookings', 'guest-my-bookings-fr');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      wpEval('update_option("WPLANG", "");');
    }
  });
});
