import { migrations } from '../../migrations/procurement';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceModule } from '../platform/service-module';
import { delivery } from '../platform/topics';
import { evaluateBuffersTask } from './evaluate-buffers.task';
import { procurementGauges } from './procurement.gauges';
import { bufferHandlers } from './procurement.grpc';
import { SupplierProductSchema } from './supplier-product.entity';
import { PolicyChangeSchema, SupplierSchema } from './supplier.entity';
import { purchaseOrderDelivery } from './purchase-order-delivery';
import { purchaseOrderHandlers, supplierPageSettings } from './purchase-orders.grpc';
import { supplierProductHandlers } from './supplier-products.grpc';
import { APPLY_RECEIPT, REFRESH_ETAS, SEND_PURCHASE_ORDER } from './topics';

/** Procurement: supplier buffers, release rules, purchase orders and their emails, receipts, lead times. */
export const procurementModule: ServiceModule<typeof ProcurementServiceDefinition> = {
  name: 'procurement',
  schema: { schema: 'procurement', entities: [SupplierSchema, PolicyChangeSchema, SupplierProductSchema], migrations },
  descriptor: ProcurementServiceDefinition,
  create: ({ orm, clock, mailer, peers, config, links }) => ({
    handlers: { ...bufferHandlers(orm, clock), ...purchaseOrderHandlers(orm, clock, supplierPageSettings(config, links)), ...supplierProductHandlers(orm, clock) },
    deliveries: [
      delivery(SEND_PURCHASE_ORDER, purchaseOrderDelivery(orm, clock, mailer, { links, ttlDays: config.SUPPLIER_LINK_TTL_DAYS })),
      delivery(APPLY_RECEIPT, (request) => peers.orders.applyReceipt(request)),
      delivery(REFRESH_ETAS, (request) => peers.orders.refreshEtas(request)),
    ],
    tasks: [evaluateBuffersTask(orm, clock, config.SCHEDULER_TICK)],
    metrics: procurementGauges(orm, clock),
  }),
};
