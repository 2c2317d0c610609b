import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startApp } from './app';
import { demoClients, MovableClock, seedDemo, settleApp, type DemoClients } from './demo/seed';
import { systemClock } from './platform/clock';
import { ConfigError, loadConfig, type Config } from './platform/config';
import { createLogger } from './platform/logger';
import { peerCredentials } from './platform/transport';

/** Written into DATA_DIR when the story has been seeded completely. */
const SEEDED_MARKER = 'demo-seeded.json';
const DEMO_CALLER = { sub: 'demo-seeder', roles: ['admin' as const] };

/**
 * `npm run demo`: seeds a living story through the public API, then serves it like `npm start`.
 * The server stamps orders, demand, releases and policy changes with its own clock, and the API rightly
 * takes no "order time" from clients; so the story is played in this process against an app whose clock the
 * demo moves, event by event, through 13 weeks. Then that app stops and the real one starts on the same data
 * with the system clock, its scheduler and outbox running, and prints the console's sign-in link.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ DATA_DIR: './var/demo', ...process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`restock demo: ${error.message}\n`);
    process.exit(2);
  }
  const scale = Number(process.env.DEMO_SCALE ?? '1');
  if (!(scale > 0 && scale <= 1)) {
    process.stderr.write('restock demo: DEMO_SCALE must be a number in (0, 1]\n');
    process.exit(2);
  }
  const marker = path.resolve(config.DATA_DIR, SEEDED_MARKER);
  const say = (line: string) => process.stdout.write(`demo: ${line}\n`);

  if (existsSync(marker)) {
    say(`${config.DATA_DIR} already holds the demo story; serving it (remove ${config.DATA_DIR} to start over)`);
  } else {
    // the clock starts at the epoch and the story moves it on: to the day before its first week, then event by event
    const clock = new MovableClock(new Date(0));
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    // the gRPC services only: the console starts with the real app; logs stay quiet unless asked for
    const seeding = loadConfig({ DATA_DIR: './var/demo', LOG_LEVEL: 'warn', ...process.env, SERVICES: config.SERVICES.join(','), GRPC_PORT: '0' });
    const app = await startApp(seeding, { clock, background: false, log: createLogger(seeding.LOG_LEVEL) });
    const clients = demoClients(`127.0.0.1:${app.port}`, app.auth.tokens(DEMO_CALLER, 3600), peerCredentials(seeding));
    try {
      await refuseOtherData(clients, config.DATA_DIR);
      const began = Date.now();
      say(`seeding 13 weeks of history through the gRPC API (scale ${scale})…`);
      const summary = await seedDemo({ clients, clock, settle: () => settleApp(app), end, scale, progress: say });
      say(
        `seeded ${summary.suppliers} suppliers, ${summary.products} products, ${summary.orders} orders, ${summary.purchaseOrders} purchase orders and ${summary.receipts} receipts in ${((Date.now() - began) / 1000).toFixed(1)} s`,
      );
      await mkdir(config.DATA_DIR, { recursive: true });
      await writeFile(marker, JSON.stringify({ seeded: new Date().toISOString(), scale, ...summary }, null, 2));
    } finally {
      for (const client of Object.values(clients)) client.close();
      await app.stop();
    }
  }

  const app = await startApp(config, { clock: systemClock });
  if (!config.CONSOLE) say('SERVICES does not include console: no sign-in link');
  say(`serving gRPC on ${config.GRPC_HOST}:${app.port}; Ctrl-C stops`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** Refuses to write a story into a database that holds other data (or an interrupted demo). */
async function refuseOtherData(clients: DemoClients, dataDir: string): Promise<void> {
  const { suppliers } = await clients.procurement.listSuppliers({ pageSize: 1 });
  if (suppliers.length > 0) {
    throw new Error(
      `the database already holds suppliers but no finished demo (${SEEDED_MARKER} is missing in ${dataDir}): an interrupted seeding, or other data. ` +
        'Remove the data directory (or point DATA_DIR / DATABASE_URL at an empty one) and run again.',
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`restock demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
