import { migrations } from '../../migrations/inventory';
import { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import type { ServiceModule } from '../platform/service-module';
import { delivery } from '../platform/topics';
import { inventoryHandlers } from './inventory.grpc';
import { ProductSchema } from './product.entity';
import { ALLOCATE_STOCK, CANCEL_WAITING_LINES } from './topics';

/** Inventory: products, stock, reservations and the stock ledger. */
export const inventoryModule: ServiceModule<typeof InventoryServiceDefinition> = {
  name: 'inventory',
  schema: { schema: 'inventory', entities: [ProductSchema], migrations },
  descriptor: InventoryServiceDefinition,
  create: ({ orm, peers }) => ({
    handlers: inventoryHandlers(orm, peers),
    deliveries: [
      delivery(ALLOCATE_STOCK, (request) => peers.orders.allocateStock(request)),
      delivery(CANCEL_WAITING_LINES, (request) => peers.orders.cancelWaitingLines(request)),
    ],
    tasks: [],
  }),
};
