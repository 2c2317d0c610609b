import { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import { OutboxAdminServiceDefinition } from '../gen/restock/operations/v1/operations_service';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceDescriptor } from './rpc';

/** The roles a token's `roles` claim may name. */
export const ROLES = ['storefront', 'warehouse', 'planner', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may call each RPC of a service besides admin; a method without an entry fails the build. */
export type RoleTable<D extends ServiceDescriptor> = { readonly [K in keyof D['methods']]: readonly Exclude<Role, 'admin'>[] };

const READERS = ['storefront', 'warehouse', 'planner'] as const;

/**
 * Who may call what: the one table. `admin` may call everything and is not listed. `service` is the role of
 * peer services (each names the RPCs it calls on the others); the RPCs only peers call are `service` alone.
 */
export const RPC_ROLES: {
  inventory: RoleTable<typeof InventoryServiceDefinition>;
  orders: RoleTable<typeof OrdersServiceDefinition>;
  procurement: RoleTable<typeof ProcurementServiceDefinition>;
  operations: RoleTable<typeof OutboxAdminServiceDefinition>;
} = {
  inventory: {
    upsertProduct: ['planner'],
    getProduct: [...READERS],
    listProducts: [...READERS],
    batchGetProducts: [...READERS, 'service'], // Orders: placing an order
    getStock: [...READERS, 'service'], // Orders: allocation
    adjustStock: ['warehouse'],
    receiveStock: ['service'], // Orders: ApplyReceipt (the warehouse receives through ReceivePurchaseOrder)
    reserveStock: ['service'],
    batchReserveStock: ['service'],
    releaseStock: ['service'],
    shipStock: ['service'],
    listStockMovements: ['warehouse', 'planner'],
    writeOffStock: ['service'], // Orders: its WriteOffStock, once it took the units from the lines
  },
  orders: {
    placeOrder: ['storefront'],
    getOrder: ['storefront', 'warehouse'],
    listOrders: ['storefront', 'warehouse'],
    cancelOrder: ['storefront'],
    cancelOrderLine: ['storefront'],
    shipOrder: ['warehouse'],
    listBackorders: ['warehouse', 'planner'],
    applyReceipt: ['service'], // Procurement: a PO received
    allocateStock: ['service'], // Inventory: free stock grew
    refreshEtas: ['service'], // Procurement: the supply forecast changed
    getBackorderMetrics: ['planner', 'service'], // Inventory: a discontinued product's waiting lines
    updateOrder: ['storefront', 'planner'],
    watchOrderEvents: ['warehouse', 'storefront', 'service'],
    quoteAvailability: ['storefront'],
    openCustomerLink: ['service'], // the console's public order page: the link is the credential
    cancelWaitingUnits: ['service'],
    writeOffStock: ['warehouse'],
    cancelWaitingLines: ['service'], // Inventory: a product discontinued with CANCEL
  },
  procurement: {
    upsertSupplier: ['planner'],
    getSupplier: ['planner'],
    listSuppliers: ['planner'],
    upsertSupplierProduct: ['planner'],
    getSupplierProduct: ['planner'],
    listSupplierProducts: ['planner', 'service'], // Orders: backorders and metrics of a supplier
    deleteSupplierProduct: ['planner'],
    updateBufferPolicy: ['planner'],
    listPolicyChanges: ['planner'],
    getBuffer: ['planner'],
    listBuffers: ['planner'],
    previewRelease: ['planner'],
    simulatePolicy: ['planner'],
    listUnassignedDemand: ['planner'],
    recordDemand: ['service'], // Orders: a line backordered
    cancelDemand: ['service'], // Orders: a waiting line cancelled or allocated
    evaluateBuffers: ['planner'],
    getPurchaseOrder: ['planner', 'warehouse'],
    listPurchaseOrders: ['planner', 'warehouse'],
    confirmPurchaseOrder: ['planner'],
    cancelPurchaseOrder: ['planner'],
    receivePurchaseOrder: ['warehouse'],
    getLeadTimeStats: ['planner'],
    listLeadTimeObservations: ['planner'],
    getSupplyForecast: ['planner', 'service'],
    openSupplierLink: ['service'], // the console's public supplier page: the link is the credential
    answerPurchaseOrder: ['service'],
    quoteSupply: ['planner', 'service'], // Orders: every forecast it reads (ETAs of waiting and new backorders, quotes)
    listPurchaseOrderRevisions: ['planner', 'warehouse'],
    resendPurchaseOrder: ['planner'],
    listPurchaseOrderEmails: ['planner'],
    getSupplierScorecard: ['planner'],
  },
  // Served by every process for the services it hosts: the dead-letter tools, admin only.
  operations: {
    listDeadMessages: [],
    retryDeadMessage: [],
    discardDeadMessage: [],
    listDeadMessageActions: [],
  },
};

/** The service descriptor of each table, for walking every RPC. */
export const DESCRIPTORS: Record<keyof typeof RPC_ROLES, ServiceDescriptor> = {
  inventory: InventoryServiceDefinition,
  orders: OrdersServiceDefinition,
  procurement: ProcurementServiceDefinition,
  operations: OutboxAdminServiceDefinition,
};

/** Whether a caller with roles may call an RPC open to allowed (admin may call everything). */
export function mayCall(roles: readonly Role[], allowed: readonly Role[]): boolean {
  return roles.includes('admin') || roles.some((role) => allowed.includes(role));
}
