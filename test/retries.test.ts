import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { InventoryServiceDefinition } from '../src/gen/restock/inventory/v1/inventory_service';
import { OrdersServiceDefinition } from '../src/gen/restock/orders/v1/orders_service';
import { connect, grpcDefinition } from '../src/platform/rpc';

// A stand-in peer on a real socket that answers UNAVAILABLE a set number of times, counting attempts:
// it checks the clients' retry policy, not Restock's services.
let server: Server;
let address: string;
const attempts = { getStock: 0, cancelOrder: 0 };

beforeAll(async () => {
  server = new Server();
  const unavailable = { code: status.UNAVAILABLE, details: 'peer is restarting' };
  server.addService(grpcDefinition(InventoryServiceDefinition), {
    getStock: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      if (++attempts.getStock <= 2) return callback(unavailable);
      callback(null, { stock: { sku: 'RETRY-1', onHand: 3, reserved: 0, available: 3 } });
    },
  });
  server.addService(grpcDefinition(OrdersServiceDefinition), {
    cancelOrder: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      attempts.cancelOrder++;
      callback(unavailable);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  address = `127.0.0.1:${port}`;
});
afterAll(() => server.forceShutdown());

it('sends an idempotent call again when the peer answers UNAVAILABLE', async () => {
  const inventory = connect(InventoryServiceDefinition, address);
  try {
    const { stock } = await inventory.getStock({ sku: 'RETRY-1' });
    expect(stock?.available).toBe(3);
    expect(attempts.getStock).toBe(3);
  } finally {
    inventory.close();
  }
});

it('never sends a call that is not idempotent twice', async () => {
  const orders = connect(OrdersServiceDefinition, address);
  try {
    await expect(orders.cancelOrder({ orderId: 'ord-1', reason: 'changed my mind' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(attempts.cancelOrder).toBe(1);
  } finally {
    orders.close();
  }
});
