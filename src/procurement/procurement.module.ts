import { migrations } from '../../migrations/procurement';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceModule } from '../platform/service-module';
import { evaluateBuffersTask } from './evaluate-buffers.task';
import { bufferHandlers } from './procurement.grpc';
import { purchaseOrderDelivery } from './purchase-order-delivery';
import { purchaseOrderHandlers } from './purchase-orders.grpc';
import { SEND_PURCHASE_ORDER } from './release';

/** Procurement: supplier buffers, release rules, purchase orders and their emails, receipts, lead times. */
export const procurementModule: ServiceModule<typeof ProcurementServiceDefinition> = {
  name: 'procurement',
  schema: { schema: 'procurement', entities: [], migrations },
  descriptor: ProcurementServiceDefinition,
  create: ({ orm, clock, mailer, peers, config }) => ({
    handlers: { ...bufferHandlers(orm, clock), ...purchaseOrderHandlers(orm, clock) },
    deliveries: {
      [SEND_PURCHASE_ORDER]: purchaseOrderDelivery(orm, clock, mailer),
      'orders.apply-receipt': async (payload: { receiptId: string; sku: string; quantity: number }) => void (await peers.orders.applyReceipt(payload)),
      'orders.refresh-etas': async (payload: { skus: string[] }) => void (await peers.orders.refreshEtas(payload)),
    },
    tasks: [evaluateBuffersTask(orm, clock, config.SCHEDULER_TICK)],
  }),
};
