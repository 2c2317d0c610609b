import { migrations } from '../../migrations/orders';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import type { ServiceModule } from '../platform/service-module';
import { sendReadyToShipEmails } from './allocation';
import { ordersHandlers } from './orders.grpc';
import { recoverUnfinishedWork, recoveryTask } from './recovery';
import { stillWaitingTask } from './still-waiting';

/** Orders: customer orders, the FIFO backorder queue, allocation, shipping and customer emails. */
export const ordersModule: ServiceModule<typeof OrdersServiceDefinition> = {
  name: 'orders',
  schema: { schema: 'orders', entities: [], migrations },
  descriptor: OrdersServiceDefinition,
  create: (deps) => ({
    handlers: ordersHandlers(deps),
    deliveries: {
      'procurement.record-demand': async (payload) => void (await deps.peers.procurement.recordDemand(payload)),
      'procurement.cancel-demand': async (payload) => void (await deps.peers.procurement.cancelDemand(payload)),
      'inventory.release-stock': async (payload) => void (await deps.peers.inventory.releaseStock(payload)),
      'inventory.ship-stock': async (payload) => void (await deps.peers.inventory.shipStock(payload)),
      'orders.ready-to-ship-emails': (payload: { batchId: string }) => sendReadyToShipEmails(deps, payload.batchId),
    },
    tasks: [recoveryTask(deps), stillWaitingTask(deps)],
    onServing: async () => void (await recoverUnfinishedWork(deps)),
  }),
};
