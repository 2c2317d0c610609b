import type { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import type { OutboxAdminServiceDefinition } from '../gen/restock/operations/v1/operations_service';
import type { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceDescriptor } from './rpc';

/** Whether calling an RPC twice has the effect of calling it once; a method without an entry fails the build. */
type IdempotenceTable<D extends ServiceDescriptor> = { readonly [K in keyof D['methods']]: boolean };

/**
 * The one place that says which calls a client may send again by itself: reads, and changes idempotent by
 * a key the caller chose (request_id, receipt_id, demand_id, shipment_id) or by replacing a whole resource.
 * Not: calls whose key is optional (cancellations), or that act anew each time (policy changes, releases).
 */
export const IDEMPOTENT = {
  inventory: {
    upsertProduct: true,
    getProduct: true,
    listProducts: true,
    batchGetProducts: true,
    getStock: true,
    adjustStock: true,
    receiveStock: true,
    reserveStock: true,
    batchReserveStock: true,
    releaseStock: true,
    shipStock: true,
    listStockMovements: true,
    writeOffStock: true,
  } satisfies IdempotenceTable<typeof InventoryServiceDefinition>,
  orders: {
    placeOrder: true,
    getOrder: true,
    listOrders: true,
    cancelOrder: false,
    cancelOrderLine: false,
    shipOrder: true,
    listBackorders: true,
    applyReceipt: true,
    allocateStock: true,
    refreshEtas: true,
    getBackorderMetrics: true,
    updateOrder: true, // by request_id
    watchOrderEvents: false, // a stream: the client resumes from its last cursor
    quoteAvailability: true,
    openCustomerLink: true,
    cancelWaitingUnits: true, // by request_id
    writeOffStock: true,
    cancelWaitingLines: true,
  } satisfies IdempotenceTable<typeof OrdersServiceDefinition>,
  procurement: {
    upsertSupplier: true,
    getSupplier: true,
    listSuppliers: true,
    upsertSupplierProduct: true,
    getSupplierProduct: true,
    listSupplierProducts: true,
    deleteSupplierProduct: false,
    updateBufferPolicy: false,
    listPolicyChanges: true,
    getBuffer: true,
    listBuffers: true,
    previewRelease: true,
    simulatePolicy: true,
    listUnassignedDemand: true,
    recordDemand: true,
    cancelDemand: false,
    evaluateBuffers: false,
    getPurchaseOrder: true,
    listPurchaseOrders: true,
    confirmPurchaseOrder: false,
    cancelPurchaseOrder: false,
    receivePurchaseOrder: true,
    getLeadTimeStats: true,
    listLeadTimeObservations: true,
    getSupplyForecast: true,
    openSupplierLink: true,
    answerPurchaseOrder: false,
    quoteSupply: true, // records nothing
    listPurchaseOrderRevisions: true,
    resendPurchaseOrder: true, // by request_id
    listPurchaseOrderEmails: true,
    getSupplierScorecard: true,
  } satisfies IdempotenceTable<typeof ProcurementServiceDefinition>,
  operations: {
    listDeadMessages: true,
    retryDeadMessage: true,
    discardDeadMessage: true,
    listDeadMessageActions: true,
  } satisfies IdempotenceTable<typeof OutboxAdminServiceDefinition>,
};

/**
 * The gRPC service config of a client of descriptor: idempotent calls answered UNAVAILABLE (the server
 * was unreachable, or a peer of it was) are sent again, up to 4 attempts in all, 0.1–1 s apart.
 */
export function retryServiceConfig(descriptor: ServiceDescriptor): string {
  // restock.orders.v1.OrdersService → orders
  const idempotent: Record<string, boolean> = IDEMPOTENT[descriptor.fullName.split('.')[1] as keyof typeof IDEMPOTENT] ?? {};
  const retried = Object.entries(descriptor.methods).filter(([key]) => idempotent[key]);
  return JSON.stringify({
    methodConfig: [
      {
        name: retried.map(([, method]) => ({ service: descriptor.fullName, method: method.name })),
        retryPolicy: { maxAttempts: 4, initialBackoff: '0.1s', maxBackoff: '1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
      },
    ],
  });
}
