// The browser for web-client tests: Debian's chromium driven by
// playwright-core, a phone-sized context per person, logged in through the
// UI in the language asked for, collecting page errors.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './server.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const screenshots = join(repoRoot, 'tests/output/screenshots');

/** Why browser tests cannot run here (a skip reason), or false. */
export const browserMissing = !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM} (make deps)`
  : !existsSync(join(repoRoot, 'web/vendor/hls.min.js')) ? 'web/vendor is empty (make deps)' : false;

/** Starts headless chromium. */
export function launchBrowser() {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A new 390x844 context with `user` logged in through the login form of
 *  `server`, the UI in `lang` ('zh' or 'en'), with playwright's `context`
 *  options on top of the phone's and `beforeGoto(ctx)` awaited before the
 *  first page is opened; resolves with {ctx, page},
 *  page.errors collecting uncaught errors and console errors. */
export async function phoneSession(browser, server, user, { lang = 'zh', password = 'demo1234', context = {}, beforeGoto } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'zh-CN', ...context });
  await beforeGoto?.(ctx);
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
  await page.goto(server.url + '/');
  await page.evaluate((l) => localStorage.setItem('casereel.lang', l), lang);
  await page.reload();
  await page.locator('#login-form').waitFor();
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.locator('#view-feed[data-ready="1"]').waitFor();
  return { ctx, page };
}

/** The phones of one test file, on one browser: `launch()` in before,
 *  `open(server, user, options)` logs a phone in (phoneSession's options)
 *  and gives its page, `close()` in after closes them all and the browser. */
export function phonePool() {
  const sessions = [];
  let browser = null;
  return {
    async launch() { browser = await launchBrowser(); },
    async open(server, user, options) {
      const x = await phoneSession(browser, server, user, options);
      sessions.push(x);
      return x.page;
    },
    async close() {
      for (const x of sessions) await x.ctx.close().catch(() => {});
      await browser?.close().catch(() => {});
    },
  };
}
