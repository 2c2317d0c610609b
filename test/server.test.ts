import { credentials, loadPackageDefinition, status, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { healthStatus } from './support/process';

let t: TestApp;
let address: string;
beforeAll(async () => {
  t = await startTestApp({ background: false });
  address = `127.0.0.1:${t.app.port}`;
});
afterAll(() => t.stop());

const SERVICES = ['restock.inventory.v1.InventoryService', 'restock.orders.v1.OrdersService', 'restock.procurement.v1.ProcurementService'];

describe('gRPC server', () => {
  it('answers health checks for the server and each service it hosts', async () => {
    expect(await healthStatus(address)).toBe('SERVING');
    for (const service of SERVICES) expect(await healthStatus(address, service)).toBe('SERVING');
    await expect(healthStatus(address, 'restock.billing.v1.BillingService')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('serves reflection: lists the services and describes their files', async () => {
    const definition = loadSync(require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), { keepCase: true });
    const reflection = (loadPackageDefinition(definition).grpc as GrpcObject).reflection as GrpcObject;
    const Reflection = (reflection.v1 as GrpcObject).ServerReflection as ServiceClientConstructor;
    const client = new Reflection(address, credentials.createInsecure());
    const responses: any[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', (response: any) => {
        responses.push(response);
        if (responses.length === 2) call.end();
      });
      call.on('error', reject);
      call.on('end', resolve);
      call.write({ list_services: '' });
      call.write({ file_containing_symbol: 'restock.inventory.v1.InventoryService' });
    });
    client.close();
    const listed = responses[0].list_services_response.service.map((s: { name: string }) => s.name);
    expect(listed).toEqual(expect.arrayContaining(SERVICES));
    const files: Buffer[] = responses[1].file_descriptor_response.file_descriptor_proto;
    const described = Buffer.concat(files).toString('latin1');
    expect(described).toContain('restock.inventory.v1');
    expect(described).toContain('InventoryService');
    expect(described).toContain('AdjustStockRequest');
    expect(described).toContain('request_id'); // field names as in the .proto, for grpcurl
  });

  it('returns INTERNAL with the request id, never a crash, when a handler fails unexpectedly', async () => {
    await t.app.orms.inventory!.em.getKnex().raw('ALTER TABLE inventory.stock RENAME TO stock_moved');
    try {
      const error = await grpcError(t.inventory.getStock({ sku: 'ANY' }, { requestId: 'req-broken-1' }));
      expect(error.code).toBe(status.INTERNAL);
      expect(error.details).toBe('internal error (request req-broken-1)');
    } finally {
      await t.app.orms.inventory!.em.getKnex().raw('ALTER TABLE inventory.stock_moved RENAME TO stock');
    }
    expect((await grpcError(t.inventory.getStock({ sku: 'ANY' }))).code).toBe(status.NOT_FOUND);
  });
});
