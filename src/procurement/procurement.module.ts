import { migrations } from '../../migrations/procurement';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceModule } from '../platform/service-module';
import { delivery } from '../platform/topics';
import { evaluateBuffersTask } from './evaluate-buffers.task';
import { overdueEtasTask } from './overdue-etas.task';
import { procurementGauges } from './procurement.gauges';
import { bufferHandlers } from './procurement.grpc';
import { SupplierProductSchema } from './supplier-product.entity';
import { PolicyChangeSchema, SupplierSchema } from './supplier.entity';
import { purchaseOrderDelivery } from './purchase-order-delivery';
import { emailSettings } from './purchase-order-emails';
import { purchaseOrderEmailHandlers } from './purchase-order-emails.grpc';
import { purchaseOrderRemindersTask } from './purchase-order-reminders.task';
import { purchaseOrderHandlers } from './purchase-orders.grpc';
import { scorecardHandlers } from './scorecard.grpc';
import { supplierProductHandlers } from './supplier-products.grpc';
import { APPLY_RECEIPT, REFRESH_ETAS, SEND_PURCHASE_ORDER } from './topics';

/** Procurement: supplier buffers, release rules, purchase orders and their emails, receipts, lead times. */
export const procurementModule: ServiceModule<typeof ProcurementServiceDefinition> = {
  name: 'procurement',
  schema: { schema: 'procurement', entities: [SupplierSchema, PolicyChangeSchema, SupplierProductSchema], migrations },
  descriptor: ProcurementServiceDefinition,
  create: ({ orm, clock, mailer, peers, config, links }) => {
    const emails = emailSettings(config, links);
    return {
      handlers: { ...bufferHandlers(orm, clock), ...purchaseOrderHandlers(orm, clock, emails), ...purchaseOrderEmailHandlers(orm, clock, emails), ...supplierProductHandlers(orm, clock), ...scorecardHandlers(orm) },
      deliveries: [
        delivery(SEND_PURCHASE_ORDER, purchaseOrderDelivery(orm, clock, mailer, emails)),
        delivery(APPLY_RECEIPT, (request) => peers.orders.applyReceipt(request)),
        delivery(REFRESH_ETAS, (request) => peers.orders.refreshEtas(request)),
      ],
      tasks: [
        evaluateBuffersTask(orm, clock, config.SCHEDULER_TICK),
        purchaseOrderRemindersTask(orm, clock, config.SCHEDULER_TICK, { confirmDays: config.SUPPLIER_CONFIRM_DAYS, reminders: config.SUPPLIER_REMINDERS }),
        overdueEtasTask(orm, clock),
      ],
      metrics: procurementGauges(orm, clock),
    };
  },
};
