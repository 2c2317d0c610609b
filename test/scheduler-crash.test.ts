import { ReleaseTrigger } from '../src/gen/restock/procurement/v1/purchase_order';
import { createTestDatabase } from './support/databases';
import { waitFor } from './support/harness';
import { query } from './support/db';
import { eur, supplierOf } from './support/procurement-fixtures';
import { startReplica, stopReplica, type Replica } from './support/procurement-replicas';

jest.setTimeout(180_000);

const NEVER = '0 0 1 1 *'; // no tick during the test
let databaseUrl: string;
const running: Replica[] = [];
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(running.filter((r) => r.process.exitCode === null && r.process.signalCode === null).map(stopReplica));
});

it('a process killed right after claiming a scheduler tick loses none of that tick: a restart runs it', async () => {
  // A buffer whose threshold is met, but no tick has evaluated it yet (a policy change does not release).
  const setup = await startReplica(databaseUrl, { SCHEDULER_TICK: NEVER });
  running.push(setup);
  await setup.procurement.upsertSupplier({ supplier: supplierOf('TICK') });
  await setup.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'TICK', sku: 'TICK-1', supplierSku: 'T-1', unitCost: eur(100), packSize: 1 } });
  await setup.procurement.recordDemand({ demandId: 'tick-demand', sku: 'TICK-1', quantity: 10 });
  await setup.procurement.updateBufferPolicy({ supplierId: 'TICK', policy: { minQuantity: 5 }, reason: 'release at 5' });
  expect((await setup.procurement.listPurchaseOrders({ supplierId: 'TICK' })).purchaseOrders).toHaveLength(0);
  await stopReplica(setup);

  // Ticks every second; the process SIGKILLs itself right after it claims its first tick of evaluate-buffers
  // (other tasks on the same schedule claim theirs too, in any order: the crash point names the task).
  const victim = await startReplica(databaseUrl, { SCHEDULER_TICK: '* * * * * *', RESTOCK_CRASH_POINT: 'scheduler.tick-claimed:procurement.evaluate-buffers' }, { untilExit: true });
  expect(victim.process.signalCode).toBe('SIGKILL');
  const claimed = await query<{ status: string }>(databaseUrl, "SELECT status FROM procurement.outbox WHERE topic = 'scheduler.run-task' AND payload->>'task' = 'procurement.evaluate-buffers'");
  expect(claimed).toEqual([{ status: 'pending' }]); // the tick is claimed (with the other tasks of that schedule), its run not done
  expect(await query(databaseUrl, 'SELECT 1 FROM procurement.purchase_order')).toHaveLength(0);

  // A restart that will never tick itself still runs the claimed tick, from the outbox.
  const restarted = await startReplica(databaseUrl, { SCHEDULER_TICK: NEVER });
  running.push(restarted);
  const [order] = await waitFor(
    async () => {
      const { purchaseOrders } = await restarted.procurement.listPurchaseOrders({ supplierId: 'TICK' });
      return purchaseOrders.length > 0 && purchaseOrders;
    },
    { what: 'the PO of the claimed tick' },
  );
  expect(order.trigger).toBe(ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY);
  expect(order.lines.map((l) => [l.sku, l.quantity])).toEqual([['TICK-1', 10]]);
  await waitFor(async () => (await query<{ status: string }>(databaseUrl, "SELECT status FROM procurement.outbox WHERE topic = 'scheduler.run-task' AND payload->>'task' = 'procurement.evaluate-buffers'"))[0].status === 'delivered', {
    what: 'the tick run marked delivered',
  });
});
