/**
 * The browser side of the WordPress e2e specs: Debian's Chromium through playwright-core, logins,
 * screenshots, and the small wp-cli stand-in for site changes a spec needs (the site's language).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (run through e2e/run.sh)`);
  return value;
}

export async function launch(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mybnb-e2e-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: async () => { await browser.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export async function loggedIn(browser: Browser, base: string, user: string, pass: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/wp-login.php?redirect_to=${encodeURIComponent(`${base}/`)}`);
  await page.fill('#user_login', user);
  await page.fill('#user_pass', pass);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php'), { timeout: 30_000, waitUntil: 'domcontentloaded' }),
    page.click('#wp-submit'),
  ]);
  assert.ok((await context.cookies()).some((c) => c.name.startsWith('wordpress_logged_in_')), `${user} is logged in`);
  return { context, page, errors };
}

/** Runs PHP inside the e2e site (e2e/wp-env.sh wpx eval). */
export function wpEval(php: string): string {
  return execFileSync('bash', [env('WP_ENV_SH'), 'wpx', 'eval', php], { encoding: 'utf8', env: process.env });
}
