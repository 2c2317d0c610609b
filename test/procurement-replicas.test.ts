import { PurchaseOrderStatus, ReleaseTrigger } from '../src/gen/restock/procurement/v1/purchase_order';
import { createTestDatabase } from './support/databases';
import { waitFor } from './support/harness';
import { expectDemandConserved, expectDemandsOnOnePurchaseOrder } from './support/invariants';
import { eur, supplierOf } from './support/procurement-fixtures';
import { startReplica, stopReplica, type Replica } from './support/procurement-replicas';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

jest.setTimeout(180_000);

let replicas: Replica[] = [];
let smtp: TestSmtpServer;
let databaseUrl: string;
beforeAll(async () => {
  smtp = await startSmtpServer();
  databaseUrl = await createTestDatabase();
  // The first replica migrates alone; the other two start against the migrated database together.
  replicas.push(await startReplica(databaseUrl, { SMTP_URL: smtp.url, SCHEDULER_TICK: '* * * * * *' }));
  replicas.push(...(await Promise.all([1, 2].map(() => startReplica(databaseUrl, { SMTP_URL: smtp.url, SCHEDULER_TICK: '* * * * * *' })))));
});
afterAll(async () => {
  await Promise.all(replicas.map(stopReplica));
  await smtp.close();
});

describe('three Procurement replicas on one database', () => {
  it('put every unit of concurrent demand on exactly one PO and email every PO once', async () => {
    const [first] = replicas;
    // Thresholds fire on arrival in whichever replica took the demand; max wait 0 and a due-every-second
    // schedule make every replica's scheduler tick release too.
    await first.procurement.upsertSupplier({ supplier: supplierOf('REP-Q', { minQuantity: 12 }) });
    await first.procurement.upsertSupplier({ supplier: { ...supplierOf('REP-S', { releaseSchedule: '* * * * *' }), timeZone: 'America/New_York' } });
    for (const [supplierId, sku] of [['REP-Q', 'REP-Q1'], ['REP-Q', 'REP-Q2'], ['REP-S', 'REP-S1']]) {
      await first.procurement.upsertSupplierProduct({ supplierProduct: { supplierId, sku, supplierSku: `X-${sku}`, unitCost: eur(100), packSize: 1 } });
    }
    const skus = ['REP-Q1', 'REP-Q2', 'REP-S1'];
    const demands = Array.from({ length: 150 }, (_, i) => ({ demandId: `rep-${i}`, sku: skus[i % 3], quantity: (i % 4) + 1 }));
    // Five waves of 30 concurrent arrivals spread over the three replicas.
    for (let wave = 0; wave < 5; wave++) {
      await Promise.all(demands.slice(wave * 30, wave * 30 + 30).map((demand, i) => replicas[i % 3].procurement.recordDemand(demand)));
    }
    // Whatever no rule released yet goes out by a planner's release, through another replica.
    await replicas[1].procurement.evaluateBuffers({ force: true });

    const orders = (await waitFor(async () => {
      const { purchaseOrders } = await replicas[2].procurement.listPurchaseOrders({ pageSize: 1000 });
      const allSent = purchaseOrders.every((po) => po.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT);
      return allSent && smtp.messages.length >= purchaseOrders.length ? purchaseOrders : null;
    }, { timeoutMs: 60_000, what: 'every PO emailed' }))!;

    await expectDemandsOnOnePurchaseOrder(databaseUrl, demands);
    await expectDemandConserved({ procurement: databaseUrl });
    expect(orders.flatMap((po) => po.lines).reduce((sum, l) => sum + l.demandedQuantity, 0)).toBe(demands.reduce((sum, d) => sum + d.quantity, 0));

    const subjects = smtp.messages.map((m) => m.subject);
    expect(subjects.sort()).toEqual(orders.map((po) => `Purchase order ${po.number}`).sort());
    expect(new Set(orders.map((po) => po.number)).size).toBe(orders.length);
    expect(orders.filter((po) => po.trigger === ReleaseTrigger.RELEASE_TRIGGER_MIN_QUANTITY).length).toBeGreaterThan(1);
  });
});
