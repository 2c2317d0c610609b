import type { SignedLinks } from './signed-links';
import type { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import type { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from './clock';
import type { Config, ServiceName } from './config';
import type { Logger } from './logger';
import type { Mailer } from './mail';
import type { ScrapeMetrics } from './metrics';
import type { Orm, ServiceSchema } from './orm';
import type { Delivery } from './topics';
import type { Client, Handlers, ServiceDescriptor } from './rpc';
import type { RetainedRows } from './retention.task';
import type { Task } from './scheduler';

/** Clients of the three services, reached over gRPC (possibly this very process). */
export interface Peers {
  readonly inventory: Client<typeof InventoryServiceDefinition>;
  readonly orders: Client<typeof OrdersServiceDefinition>;
  readonly procurement: Client<typeof ProcurementServiceDefinition>;
}

/** What the composition root hands a service. */
export interface ServiceDeps {
  orm: Orm;
  peers: Peers;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  config: Config;
  /** Signs and checks the links in emails that need no account. */
  links: SignedLinks;
}

/** What a service gives the composition root: gRPC handlers, outbox deliveries, scheduled tasks and its gauges. */
export interface ServiceParts<D extends ServiceDescriptor> {
  handlers: Handlers<D>;
  deliveries: Delivery[];
  tasks: Task[];
  /** Background work to run once when the process starts serving (e.g. finishing what a crash interrupted). */
  onServing?: () => Promise<void>;
  /** Rows of the service's own that the retention task deletes after RETENTION_DAYS, besides outbox messages and idempotency keys. */
  retained?: RetainedRows[];
  /** Registers the service's own gauges, read at scrape time (not called when metrics are off). */
  metrics?: (metrics: ScrapeMetrics) => void;
}

/** One service: its schema, its contract and how to build it. */
export interface ServiceModule<D extends ServiceDescriptor = any> {
  name: ServiceName;
  schema: ServiceSchema;
  descriptor: D;
  create(deps: ServiceDeps): ServiceParts<D>;
}
