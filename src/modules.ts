import { inventoryModule } from './inventory/inventory.module';
import { ordersModule } from './orders/orders.module';
import type { ServiceName } from './platform/config';
import type { Logger } from './platform/logger';
import { initOrm, migrate, type Orm } from './platform/orm';
import type { ServiceModule } from './platform/service-module';
import { procurementModule } from './procurement/procurement.module';

/** Every service this codebase has: the one list the app, `npm run migrate` and the tests build from. */
export const MODULES: Record<ServiceName, ServiceModule> = { inventory: inventoryModule, orders: ordersModule, procurement: procurementModule };

/** Opens an ORM per named service (all by default) and applies their pending migrations. */
export async function openAndMigrate(
  url: string,
  options: { services?: readonly ServiceName[]; poolSize: number; log: Logger },
): Promise<Partial<Record<ServiceName, Orm>>> {
  const orms: Partial<Record<ServiceName, Orm>> = {};
  for (const name of options.services ?? (Object.keys(MODULES) as ServiceName[])) {
    orms[name] = await initOrm(url, MODULES[name].schema, options.poolSize, options.log);
  }
  await migrate(url, Object.values(orms), options.log);
  return orms;
}
