import { migrations } from '../../migrations/inventory';
import { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import type { ServiceModule } from '../platform/service-module';
import { inventoryHandlers } from './inventory.grpc';
import { ProductSchema } from './product.entity';

/** Inventory: products, stock, reservations and the stock ledger. */
export const inventoryModule: ServiceModule<typeof InventoryServiceDefinition> = {
  name: 'inventory',
  schema: { schema: 'inventory', entities: [ProductSchema], migrations },
  descriptor: InventoryServiceDefinition,
  create: ({ orm, peers }) => ({
    handlers: inventoryHandlers(orm),
    deliveries: { 'orders.allocate-stock': async (payload: { sku: string }) => void (await peers.orders.allocateStock(payload)) },
    tasks: [],
  }),
};
