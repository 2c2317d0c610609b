import type { ChannelCredentials } from '@grpc/grpc-js';
import { InventoryServiceDefinition } from '../gen/restock/inventory/v1/inventory_service';
import { OrdersServiceDefinition } from '../gen/restock/orders/v1/orders_service';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceName } from './config';
import type { RpcMetrics } from './metrics';
import { connect, type Client, type ServiceDescriptor } from './rpc';
import type { Peers } from './service-module';

/**
 * Clients of the three services, each connected on first use to addressOf(service) over transport (plaintext
 * unless given); every call sends a token of token(), and is counted in metrics when given.
 */
export function connectPeers(
  addressOf: (service: ServiceName) => string,
  token: () => Promise<string>,
  transport?: ChannelCredentials,
  metrics?: RpcMetrics,
): Peers & { close(): void } {
  const open = new Map<ServiceName, Client<ServiceDescriptor>>();
  function peer<D extends ServiceDescriptor>(service: ServiceName, descriptor: D): Client<D> {
    if (!open.has(service)) open.set(service, connect(descriptor, addressOf(service), token, transport, metrics) as unknown as Client<ServiceDescriptor>);
    return open.get(service) as unknown as Client<D>;
  }
  return {
    get inventory() {
      return peer('inventory', InventoryServiceDefinition);
    },
    get orders() {
      return peer('orders', OrdersServiceDefinition);
    },
    get procurement() {
      return peer('procurement', ProcurementServiceDefinition);
    },
    close() {
      for (const client of open.values()) client.close();
      open.clear();
    },
  };
}
