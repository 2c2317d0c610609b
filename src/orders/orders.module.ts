import { migrations } from '../../migrations/orders';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import type { ServiceModule } from '../platform/service-module';
import { sendReadyToShipEmails } from './allocation';
import { ordersHandlers } from './orders.grpc';
import { recoverUnfinishedWork, recoveryTask } from './recovery';
import { stillWaitingTask } from './still-waiting';

// Long enough for the gRPC server to be listening, so recovery can reach Inventory through it.
const STARTUP_RECOVERY_DELAY_MS = 1000;

/** Orders: customer orders, the FIFO backorder queue, allocation, shipping and customer emails. */
export const ordersModule: ServiceModule<typeof OrdersServiceDefinition> = {
  name: 'orders',
  schema: { schema: 'orders', entities: [], migrations },
  descriptor: OrdersServiceDefinition,
  create: (deps) => {
    const startup = setTimeout(() => {
      recoverUnfinishedWork(deps).catch((error: unknown) => deps.log.debug({ err: error }, 'startup recovery did not run'));
    }, STARTUP_RECOVERY_DELAY_MS);
    startup.unref();
    return {
      handlers: ordersHandlers(deps),
      deliveries: {
        'procurement.record-demand': async (payload) => void (await deps.peers.procurement.recordDemand(payload)),
        'procurement.cancel-demand': async (payload) => void (await deps.peers.procurement.cancelDemand(payload)),
        'inventory.release-stock': async (payload) => void (await deps.peers.inventory.releaseStock(payload)),
        'inventory.ship-stock': async (payload) => void (await deps.peers.inventory.shipStock(payload)),
        'orders.ready-to-ship-emails': (payload: { batchId: string }) => sendReadyToShipEmails(deps, payload.batchId),
      },
      tasks: [recoveryTask(deps), stillWaitingTask(deps)],
    };
  },
};
