import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AppContext, closeAppContext } from '../../../src/app/app-context';
import { createUser } from '../../../src/services/users';
import { createWebApp } from '../../../src/web/app';
import { createTestHome, openTestContext } from '../../helpers/dagctl-home';
import { createTestDatabase } from '../../helpers/test-database';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type BrowserRole = 'admin' | 'op' | 'viewer';
const PASSWORD = 'browser-pass-123';

/** The web app (real auth, UI and API) on a migrated database, and Debian's Chromium. */
export interface BrowserApp {
  ctx: AppContext;
  baseUrl: string;
  browser: Browser;
  /** Script errors and CSP violations seen in any page. */
  pageErrors: string[];
  /**
   * A new browser context of `width` × `height`, logged in as the user of `role` through the login
   * form the app sends a visitor to.
   */
  login(role: BrowserRole, width?: number, height?: number): Promise<Page>;
  /** Closes the browser and the server, and the context when the app opened it. */
  close(): Promise<void>;
}

/**
 * Serves `ctx` when given (an engine harness's, whose owner closes it), else a context on a fresh
 * SQLite database and home of its own. Users admin, op and viewer are created in it.
 */
export async function startBrowserApp(options: { ctx?: AppContext } = {}): Promise<BrowserApp> {
  const owned = options.ctx ? undefined : await openOwnContext();
  const ctx = options.ctx ?? owned!.ctx;
  for (const role of ['admin', 'op', 'viewer'] as const)
    await createUser(ctx, { username: role, password: PASSWORD, role });
  const server = http.createServer(createWebApp(ctx));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const pageErrors: string[] = [];
  return {
    ctx,
    baseUrl,
    browser,
    pageErrors,
    async login(role, width = 1400, height = 900) {
      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${role}: ${err.message}`));
      // console errors include CSP violations; HTTP error statuses the tests provoke are expected
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
          pageErrors.push(`${role}: console: ${msg.text()}`);
      });
      await page.goto(`${baseUrl}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.fill('input[name=username]', role);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await owned?.close();
    },
  };
}

async function openOwnContext(): Promise<{ ctx: AppContext; close(): Promise<void> }> {
  const db = await createTestDatabase('sqlite');
  const home = createTestHome({ databaseUrl: db.url });
  const ctx = await openTestContext(home);
  return {
    ctx,
    close: async () => {
      await closeAppContext(ctx);
      await db.drop();
      home.remove();
    },
  };
}
