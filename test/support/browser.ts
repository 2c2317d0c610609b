import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import { sign } from '@fastify/cookie';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { Person } from '../../src/console/session';

const OUTPUT = path.resolve(__dirname, '../../test-output');

/**
 * A real Chromium: the one @sparticuz/chromium unpacks from its npm package, or CHROMIUM_PATH (e.g. Debian's
 * chromium). It fails when neither starts; browser tests never skip themselves.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || (await chromium.executablePath());
  // the flags a container needs, and none of @sparticuz's that loosen web security: the console is tested as browsers run it
  return puppeteer.launch({
    executablePath,
    headless: 'shell',
    args: ['--no-sandbox', '--no-zygote', '--disable-setuid-sandbox', '--font-render-hinting=none', '--use-gl=angle', '--use-angle=swiftshader', '--lang=en-US'],
    // a C/POSIX locale would give navigator.language "en-US@posix", which Intl (and so uPlot) refuses
    env: { ...process.env, LANG: 'en_US.UTF-8' },
    defaultViewport: { width: 1280, height: 900 },
  });
}

/** Writes a full-page screenshot to test-output/<folder>/<name>.png. */
export async function screenshot(page: Page, folder: string, name: string): Promise<void> {
  const dir = path.join(OUTPUT, folder);
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** The printed-style local sign-in link of a console whose DATA_DIR is dataDir. */
export async function signInLink(dataDir: string, port: number): Promise<string> {
  const token = (await readFile(path.join(dataDir, 'console-sign-in-token'), 'utf8')).trim();
  return `http://127.0.0.1:${port}/sign-in?token=${encodeURIComponent(token)}`;
}

/** A session cookie value for person, signed with the console's kept secret (as if they had signed in through a provider). */
export async function sessionCookieFor(dataDir: string, person: Person): Promise<string> {
  const secret = (await readFile(path.join(dataDir, 'console-secret'), 'utf8')).trim();
  const value = Buffer.from(JSON.stringify({ sub: person.sub, roles: person.roles, exp: Date.now() + 3_600_000 })).toString('base64url');
  return sign(value, secret);
}

/** The text of the page's main landmark, whitespace collapsed. */
export async function mainText(page: Page): Promise<string> {
  return (await page.$eval('main', (main) => (main as unknown as { innerText: string }).innerText)).replace(/\s+/g, ' ');
}

/** Clicks selector and waits for the navigation it starts. */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}
