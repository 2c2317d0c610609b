import { openAndMigrate } from './modules';
import { loadConfig } from './platform/config';
import { startDatabase } from './platform/database';
import { createLogger } from './platform/logger';

/** `npm run migrate`: applies every service's pending migrations and exits. */
async function run(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const database = await startDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_POSTGRES_PORT, log });
  try {
    const orms = await openAndMigrate(database.url, { poolSize: 2, log });
    for (const orm of Object.values(orms)) await orm.close();
  } finally {
    await database.stop();
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`restock: migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
