import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { createTestDatabase } from './support/databases';
import { waitFor } from './support/harness';
import { expectDemandConserved, expectDemandsOnOnePurchaseOrder } from './support/invariants';
import { eur, supplierOf } from './support/procurement-fixtures';
import { killReplica, startReplica, stopReplica, type Replica } from './support/procurement-replicas';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

jest.setTimeout(180_000);

const ENV = { SCHEDULER_TICK: '* * * * * *' };
let smtp: TestSmtpServer;
let databaseUrl: string;
const running: Replica[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
  databaseUrl = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(running.filter((r) => r.process.exitCode === null && r.process.signalCode === null).map(stopReplica));
  await smtp.close();
});

describe('a Procurement replica killed with SIGKILL while demand arrives and buffers are released', () => {
  it('loses no demand, PO or email: after a restart and the senders retrying, every unit is on one PO and every PO is emailed', async () => {
    const victim = await startReplica(databaseUrl, { ...ENV, SMTP_URL: smtp.url });
    const survivor = await startReplica(databaseUrl, { ...ENV, SMTP_URL: smtp.url });
    running.push(victim, survivor);
    await survivor.procurement.upsertSupplier({ supplier: supplierOf('CRASH', { minQuantity: 9 }) });
    for (const sku of ['CRASH-1', 'CRASH-2']) {
      await survivor.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'CRASH', sku, supplierSku: `X-${sku}`, unitCost: eur(250), packSize: 4 } });
    }
    const demands = Array.from({ length: 200 }, (_, i) => ({ demandId: `crash-${i}`, sku: `CRASH-${(i % 2) + 1}`, quantity: (i % 5) + 1 }));

    // Half the demand goes to the victim, which is killed once 30 of its calls have answered. Twenty senders
    // each send their share one call after another (a replica records the calls that arrive together in one
    // transaction, so calls all sent at once would be answered before the kill).
    const SENDERS = 20;
    let answered = 0;
    let killed: Promise<void> | undefined;
    const results: PromiseSettledResult<unknown>[] = [];
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, sender) => {
        for (let i = sender; i < demands.length; i += SENDERS) {
          const target = i % 2 === 0 ? victim : survivor;
          [results[i]] = await Promise.allSettled([target.procurement.recordDemand(demands[i], { timeoutMs: 20_000 })]);
          if (target === victim && results[i].status === 'fulfilled' && ++answered === 30) killed = killReplica(victim);
        }
      }),
    );
    await killed;
    expect(killed).toBeDefined();
    expect(results.some((r) => r.status === 'rejected')).toBe(true);

    // The victim comes back; senders retry every demand (RecordDemand is idempotent by demand_id).
    const restarted = await startReplica(databaseUrl, { ...ENV, SMTP_URL: smtp.url });
    running.push(restarted);
    await Promise.all(demands.map((demand, i) => (i % 2 === 0 ? restarted : survivor).procurement.recordDemand(demand)));
    await restarted.procurement.evaluateBuffers({ force: true });

    const orders = (await waitFor(async () => {
      const { purchaseOrders } = await survivor.procurement.listPurchaseOrders({ pageSize: 1000 });
      return purchaseOrders.every((po) => po.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT) ? purchaseOrders : null;
    }, { timeoutMs: 60_000, what: 'every PO sent' }))!;

    await expectDemandsOnOnePurchaseOrder(databaseUrl, demands);
    await expectDemandConserved({ procurement: databaseUrl });

    // Every PO reached the supplier; a resend after the kill reuses the Message-ID, so the supplier can tell.
    const emails = smtp.messages.filter((m) => m.subject?.startsWith('Purchase order '));
    expect(new Set(emails.map((m) => m.subject))).toEqual(new Set(orders.map((po) => `Purchase order ${po.number}`)));
    expect(new Set(emails.map((m) => m.messageId)).size).toBe(orders.length);
  });
});
