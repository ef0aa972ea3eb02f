/**
 * Headless Chromium for the report tests: Debian's `chromium` package driven by playwright-core
 * (no browser download). Every request that is not a file:// URL is aborted and recorded, so a
 * report that rendered proves it needs no network. Tests skip with `BROWSER_MISSING` where
 * there is no Chromium (a user's machine; `.ci/run` installs it).
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = process.env.PAIRSCORE_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const BROWSER_MISSING = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PAIRSCORE_TEST_CHROMIUM): the browser test is skipped`;

export const hasChromium = (): boolean => fs.existsSync(CHROMIUM);

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Requests that tried to leave file:// (all aborted). */
  blocked: string[];
}

/** Opens `url` in a fresh context, recording console/page errors; requests `allowed` refuses are aborted and recorded. */
async function openGuarded(
  browser: Browser,
  url: string,
  allowed: (requestUrl: string) => boolean,
  contextOptions: { viewport: { width: number; height: number }; offline?: boolean },
): Promise<OpenedPage> {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (allowed(u)) return route.continue();
    blocked.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, blocked };
}

export function openOffline(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  return openGuarded(browser, url, (u) => u.startsWith('file://'), { viewport, offline: true });
}

/**
 * Opens a page served by a test's own HTTP server: requests to its origin go through,
 * every other one is aborted and recorded (a page that works proves it needs no CDN).
 */
export function openServed(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  const origin = new URL(url).origin;
  return openGuarded(browser, url, (u) => u === origin || u.startsWith(`${origin}/`), { viewport });
}
