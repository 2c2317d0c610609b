import { migrations } from '../../migrations/orders';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import type { ServiceModule } from '../platform/service-module';

/** Orders: customer orders and the FIFO backorder queue (RPCs answer UNIMPLEMENTED until built). */
export const ordersModule: ServiceModule<typeof OrdersServiceDefinition> = {
  name: 'orders',
  schema: { schema: 'orders', entities: [], migrations },
  descriptor: OrdersServiceDefinition,
  create: () => ({ handlers: {}, deliveries: {}, tasks: [] }),
};
