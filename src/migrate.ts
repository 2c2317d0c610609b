import { inventoryModule } from './inventory/inventory.module';
import { ordersModule } from './orders/orders.module';
import { loadConfig } from './platform/config';
import { startDatabase } from './platform/database';
import { createLogger } from './platform/logger';
import { initOrm, migrate } from './platform/orm';
import { procurementModule } from './procurement/procurement.module';

/** `npm run migrate`: applies every service's pending migrations and exits. */
async function run(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const database = await startDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_POSTGRES_PORT, log });
  const orms = await Promise.all([inventoryModule, ordersModule, procurementModule].map((m) => initOrm(database.url, m.schema, 2, log)));
  try {
    await migrate(database.url, orms, log);
  } finally {
    for (const orm of orms) await orm.close();
    await database.stop();
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`restock: migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
