import type { Browser } from 'puppeteer-core';
import type { Clock } from '../../src/platform/clock';
import { launchBrowser } from './browser';
import { freePort } from './global-setup';
import { startTestApp, type TestApp } from './harness';
import { startSmtpServer, type TestSmtpServer } from './smtp';

/** An app whose console serves the public link pages, the SMTP server its emails (and their links) go to, and a browser to follow them. */
export interface LinkPagesWorld {
  t: TestApp;
  smtp: TestSmtpServer;
  browser: Browser;
  /** The console's public address, as the emails' links carry it. */
  consoleUrl: string;
  stop(): Promise<void>;
}

export async function startLinkPagesWorld(clock: Clock, env: Record<string, string> = {}): Promise<LinkPagesWorld> {
  const port = await freePort();
  const consoleUrl = `http://127.0.0.1:${port}`;
  const smtp = await startSmtpServer();
  const [t, browser] = await Promise.all([
    startTestApp({ background: false, clock, env: { SMTP_URL: smtp.url, CONSOLE_PORT: String(port), CONSOLE_PUBLIC_URL: consoleUrl, ...env } }),
    launchBrowser(),
  ]);
  return {
    t,
    smtp,
    browser,
    consoleUrl,
    async stop() {
      await browser.close();
      await t.stop();
      await smtp.close();
    },
  };
}
