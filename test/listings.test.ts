import { status } from '@grpc/grpc-js';
import { Priority } from '../src/gen/restock/common/v1/priority';
import { EtaSource } from '../src/gen/restock/orders/v1/order';
import { PurchaseOrderStatus } from '../src/gen/restock/procurement/v1/purchase_order';
import { query } from './support/db';
import { order, product, settle } from './support/fixtures';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { eur, seedSupplier, supplierOf, TestClock } from './support/procurement-fixtures';

// The lists a planner reads: products, supplier products, backorders across SKUs, backorder KPIs, POs.
const clock = new TestClock(new Date('2026-03-02T08:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ background: false, clock });
});
afterAll(() => t.stop());

/** Every item of a paginated list, walking the pages with next_page_token; also the page count. */
async function walk<T>(list: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const page = await list(pageToken);
    items.push(...page.items);
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken !== '' && pages < 1000);
  return { items, pages };
}

const DAY = 24 * 3600 * 1000;

describe('ListProducts', () => {
  beforeAll(async () => {
    for (let i = 0; i < 23; i++) await product(t, `LP-${String(i).padStart(2, '0')}`, { discontinued: i % 3 === 0 });
    await product(t, 'LPX-1'); // shares "LP" but not "LP-"
    await product(t, 'LP_1'); // "_" is a LIKE wildcard: "LP_" must not match "LP-.."
    await product(t, 'lp-lower'); // prefixes are case-sensitive
  });

  it('walks every page in SKU order without duplicates or gaps', async () => {
    const { items, pages } = await walk(async (pageToken) => {
      const page = await t.inventory.listProducts({ skuPrefix: 'LP-', pageSize: 5, pageToken });
      return { items: page.products.map((p) => p.sku), nextPageToken: page.nextPageToken };
    });
    const expected = Array.from({ length: 23 }, (_, i) => `LP-${String(i).padStart(2, '0')}`);
    expect(items).toEqual(expected);
    expect(pages).toBe(5);
    const everything = await walk(async (pageToken) => {
      const page = await t.inventory.listProducts({ pageSize: 7, pageToken });
      return { items: page.products.map((p) => p.sku), nextPageToken: page.nextPageToken };
    });
    expect(everything.items).toEqual([...expected, 'LPX-1', 'LP_1', 'lp-lower']); // byte order
  });

  it('filters by prefix and by discontinued', async () => {
    const skus = async (request: Parameters<typeof t.inventory.listProducts>[0]) => (await t.inventory.listProducts({ pageSize: 1000, ...request })).products.map((p) => p.sku);
    expect(await skus({ skuPrefix: 'LP_' })).toEqual(['LP_1']);
    expect(await skus({ skuPrefix: 'LPX' })).toEqual(['LPX-1']);
    expect(await skus({ skuPrefix: 'lp' })).toEqual(['lp-lower']);
    expect(await skus({ skuPrefix: 'LP-2' })).toEqual(['LP-20', 'LP-21', 'LP-22']);
    expect(await skus({ skuPrefix: 'LP-', discontinued: true })).toEqual(['LP-00', 'LP-03', 'LP-06', 'LP-09', 'LP-12', 'LP-15', 'LP-18', 'LP-21']);
    const sold = await skus({ skuPrefix: 'LP-', discontinued: false });
    expect(sold).toHaveLength(15);
    expect(sold).not.toContain('LP-03');
    const [first] = (await t.inventory.listProducts({ skuPrefix: 'LP-01' })).products;
    expect(first).toEqual((await t.inventory.getProduct({ sku: 'LP-01' })).product);
  });

  it('refuses a bad page size, page token or prefix with field violations, and lets storefronts read', async () => {
    const bad = await grpcError(t.inventory.listProducts({ pageSize: -1 }));
    expect([bad.code, bad.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['page_size']]);
    const token = await grpcError(t.inventory.listProducts({ pageToken: 'not-a-token' }));
    expect([token.code, token.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['page_token']]);
    const prefix = await grpcError(t.inventory.listProducts({ skuPrefix: 'LP %' }));
    expect([prefix.code, prefix.violations.map((v) => v.field)]).toEqual([status.INVALID_ARGUMENT, ['sku_prefix']]);
    const storefront = t.clientsAs({ sub: 'shop', roles: ['storefront'] }).inventory;
    expect((await storefront.listProducts({ skuPrefix: 'LPX' })).products).toHaveLength(1);
    expect((await grpcError(t.clientsAs({ sub: 'svc', roles: ['service'] }).inventory.listProducts({}))).code).toBe(status.PERMISSION_DENIED);
  });
});

describe('supplier products', () => {
  beforeAll(async () => {
    await seedSupplier(t, 'SP-A', {}, [{ sku: 'SPK-1' }, { sku: 'SPK-2' }, { sku: 'SPK-3' }]);
    await seedSupplier(t, 'SP-B', {}, [{ sku: 'SPK-2' }, { sku: 'SPK-4' }]);
    await seedSupplier(t, 'SP-C', {}, [{ sku: 'SPK-2', preferred: true }]);
  });

  it('gets one, with whether its supplier serves the SKU', async () => {
    const { supplierProduct } = await t.procurement.getSupplierProduct({ supplierId: 'SP-A', sku: 'SPK-1' });
    expect(supplierProduct).toEqual({ supplierId: 'SP-A', sku: 'SPK-1', supplierSku: 'S-SPK-1', unitCost: eur(1000), packSize: 1, minOrderQuantity: 0, preferred: false, serving: true, alternateRank: 0 });
    // SPK-2: SP-C is preferred, so it serves; SP-A sold it first but does not.
    expect((await t.procurement.getSupplierProduct({ supplierId: 'SP-A', sku: 'SPK-2' })).supplierProduct?.serving).toBe(false);
    expect((await t.procurement.getSupplierProduct({ supplierId: 'SP-C', sku: 'SPK-2' })).supplierProduct?.serving).toBe(true);
    const missing = await grpcError(t.procurement.getSupplierProduct({ supplierId: 'SP-B', sku: 'SPK-1' }));
    expect([missing.code, missing.reason]).toEqual([status.NOT_FOUND, 'SUPPLIER_PRODUCT_NOT_FOUND']);
  });

  it('lists by supplier and/or SKU, walking pages without duplicates or gaps', async () => {
    const pairs = async (request: { supplierId?: string; sku?: string }, pageSize: number) =>
      (
        await walk(async (pageToken) => {
          const page = await t.procurement.listSupplierProducts({ ...request, pageSize, pageToken });
          return { items: page.supplierProducts.map((p) => `${p.supplierId}/${p.sku}${p.serving ? '*' : ''}`), nextPageToken: page.nextPageToken };
        })
      ).items;
    expect(await pairs({}, 2)).toEqual(['SP-A/SPK-1*', 'SP-A/SPK-2', 'SP-A/SPK-3*', 'SP-B/SPK-2', 'SP-B/SPK-4*', 'SP-C/SPK-2*']);
    expect(await pairs({ supplierId: 'SP-B' }, 1)).toEqual(['SP-B/SPK-2', 'SP-B/SPK-4*']);
    expect(await pairs({ sku: 'SPK-2' }, 2)).toEqual(['SP-A/SPK-2', 'SP-B/SPK-2', 'SP-C/SPK-2*']);
    expect(await pairs({ supplierId: 'SP-A', sku: 'SPK-3' }, 10)).toEqual(['SP-A/SPK-3*']);
    expect((await grpcError(t.procurement.listSupplierProducts({ supplierId: 'NOBODY' }))).code).toBe(status.NOT_FOUND);
  });

  it('deletes with an audit entry; demand moves to the next supplier; get is then NOT_FOUND', async () => {
    await t.procurement.recordDemand({ demandId: 'sp-dem-1', sku: 'SPK-2', quantity: 4 });
    const planner = t.clientsAs({ sub: 'planner@example.com', roles: ['planner'] }).procurement;
    clock.set('2026-03-02T09:30:00Z');
    const deleted = await planner.deleteSupplierProduct({ supplierId: 'SP-C', sku: 'SPK-2', reason: 'supplier stopped making it' });
    expect(deleted.supplierProduct).toMatchObject({ supplierId: 'SP-C', sku: 'SPK-2', preferred: true });
    expect(deleted.servingSupplierId).toBe('SP-A'); // sold it longest
    expect((await grpcError(t.procurement.getSupplierProduct({ supplierId: 'SP-C', sku: 'SPK-2' }))).code).toBe(status.NOT_FOUND);
    expect((await t.procurement.getBuffer({ supplierId: 'SP-A' })).buffer?.lines.map((l) => [l.sku, l.quantity])).toEqual([['SPK-2', 4]]);
    expect((await t.procurement.getBuffer({ supplierId: 'SP-C' })).buffer?.lines).toEqual([]);
    const audit = await query(t.databaseUrl, `SELECT supplier_id, sku, deleted_by, reason, delete_time, product FROM procurement.supplier_product_deletion`);
    expect(audit).toEqual([
      {
        supplierId: 'SP-C',
        sku: 'SPK-2',
        deletedBy: 'planner@example.com',
        reason: 'supplier stopped making it',
        deleteTime: new Date('2026-03-02T09:30:00Z'),
        product: expect.objectContaining({ supplierSku: 'S-SPK-2', unitCost: '10.000000000', currencyCode: 'EUR', preferred: true }),
      },
    ]);
    const again = await grpcError(planner.deleteSupplierProduct({ supplierId: 'SP-C', sku: 'SPK-2', reason: 'again' }));
    expect(again.code).toBe(status.NOT_FOUND);
  });

  it('refuses to delete the last supplier of a SKU with buffered demand, and deletes it once nothing waits', async () => {
    await seedSupplier(t, 'SP-LAST', {}, [{ sku: 'SPK-LAST' }]);
    await t.procurement.recordDemand({ demandId: 'sp-dem-last', sku: 'SPK-LAST', quantity: 3 });
    const refused = await grpcError(t.procurement.deleteSupplierProduct({ supplierId: 'SP-LAST', sku: 'SPK-LAST', reason: 'cleanup' }));
    expect([refused.code, refused.reason, refused.metadata.buffered_quantity]).toEqual([status.FAILED_PRECONDITION, 'LAST_SUPPLIER_WITH_DEMAND', '3']);
    expect((await t.procurement.getSupplierProduct({ supplierId: 'SP-LAST', sku: 'SPK-LAST' })).supplierProduct?.serving).toBe(true);
    expect(await query(t.databaseUrl, `SELECT 1 FROM procurement.supplier_product_deletion WHERE sku = 'SPK-LAST'`)).toEqual([]);
    await t.procurement.cancelDemand({ demandId: 'sp-dem-last', quantity: 0, requestId: 'sp-cancel-last' });
    const deleted = await t.procurement.deleteSupplierProduct({ supplierId: 'SP-LAST', sku: 'SPK-LAST', reason: 'cleanup' });
    expect(deleted.servingSupplierId).toBe('');
  });

  it('checks fields and roles', async () => {
    const bad = await grpcError(t.procurement.deleteSupplierProduct({ supplierId: '', sku: 'a b', reason: '' }));
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['reason', 'sku', 'supplier_id']);
    const list = await grpcError(t.procurement.listSupplierProducts({ sku: '%', pageSize: -3 }));
    expect(list.code).toBe(status.INVALID_ARGUMENT);
    const warehouse = t.clientsAs({ sub: 'wh', roles: ['warehouse'] }).procurement;
    expect((await grpcError(warehouse.deleteSupplierProduct({ supplierId: 'SP-A', sku: 'SPK-1', reason: 'x' }))).code).toBe(status.PERMISSION_DENIED);
    expect((await grpcError(warehouse.getSupplierProduct({ supplierId: 'SP-A', sku: 'SPK-1' }))).code).toBe(status.PERMISSION_DENIED);
    expect((await t.procurement.getSupplierProduct({ supplierId: 'SP-A', sku: 'SPK-1' })).supplierProduct).toBeDefined(); // nothing deleted
  });
});

describe('ListBackorders across SKUs', () => {
  beforeAll(async () => {
    // BO-A and BO-B are served by SUP-BO; BO-C by SUP-OTHER (SUP-BO sells it too, but not first). Created on
    // a Saturday: their first scheduled release (Monday 2026-03-09) comes after every test here.
    clock.set('2026-03-07T12:00:00Z');
    await seedSupplier(t, 'SUP-OTHER', {}, [{ sku: 'BO-C' }]);
    await seedSupplier(t, 'SUP-BO', {}, [{ sku: 'BO-A' }, { sku: 'BO-B' }, { sku: 'BO-C' }]);
    for (const sku of ['BO-A', 'BO-B', 'BO-C']) await product(t, sku);
    clock.set('2026-03-01T08:00:00Z');
    await order(t, [['BO-A', 2], ['BO-B', 1]], { customer: 'c1' });
    await order(t, [['BO-C', 5]], { customer: 'c2' });
    clock.set('2026-03-05T08:00:00Z');
    await order(t, [['BO-A', 3]], { customer: 'c3', priority: Priority.PRIORITY_VIP });
    await order(t, [['BO-B', 4], ['BO-C', 1]], { customer: 'c4', priority: Priority.PRIORITY_VIP });
    clock.set('2026-03-06T08:00:00Z');
    await order(t, [['BO-A', 1]], { customer: 'c5' });
    clock.set('2026-03-08T08:00:00Z');
  });

  const summary = (b: { sku: string; backorderedQuantity: number; position: number; priority: Priority }) => `${b.sku}:${b.backorderedQuantity}@${b.position}${b.priority === Priority.PRIORITY_VIP ? 'v' : ''}`;

  it('walks every SKU, FIFO within each, without duplicates or gaps', async () => {
    const { items, pages } = await walk(async (pageToken) => {
      const page = await t.orders.listBackorders({ pageSize: 2, pageToken });
      return { items: page.backorders.filter((b) => b.sku.startsWith('BO-')), nextPageToken: page.nextPageToken };
    });
    expect(items.map(summary)).toEqual(['BO-A:3@1v', 'BO-A:2@2', 'BO-A:1@3', 'BO-B:4@1v', 'BO-B:1@2', 'BO-C:1@1v', 'BO-C:5@2']);
    expect(new Set(items.map((b) => b.lineId)).size).toBe(7);
    expect(pages).toBeGreaterThanOrEqual(4);
    // Each line shows its age (since its order was placed).
    expect(items[0].age).toEqual({ seconds: 3 * 24 * 3600, nanos: 0 });
    expect(items[1].age).toEqual({ seconds: 7 * 24 * 3600, nanos: 0 });
  });

  it('filters by supplier (the SKUs it serves), priority and minimum age', async () => {
    const list = async (request: Parameters<typeof t.orders.listBackorders>[0]) => (await t.orders.listBackorders({ pageSize: 1000, ...request })).backorders.map(summary);
    expect(await list({ supplierId: 'SUP-BO' })).toEqual(['BO-A:3@1v', 'BO-A:2@2', 'BO-A:1@3', 'BO-B:4@1v', 'BO-B:1@2']);
    expect(await list({ supplierId: 'SUP-OTHER' })).toEqual(['BO-C:1@1v', 'BO-C:5@2']);
    expect(await list({ priority: Priority.PRIORITY_VIP })).toEqual(['BO-A:3@1v', 'BO-B:4@1v', 'BO-C:1@1v']);
    expect(await list({ minAge: { seconds: 5 * 24 * 3600, nanos: 0 } })).toEqual(['BO-A:2@2', 'BO-B:1@2', 'BO-C:5@2']);
    expect(await list({ supplierId: 'SUP-BO', priority: Priority.PRIORITY_STANDARD, minAge: { seconds: 3 * 24 * 3600, nanos: 0 } })).toEqual(['BO-A:2@2', 'BO-B:1@2']);
    // One SKU's queue keeps the same filters, positions counting the whole queue.
    expect(await list({ sku: 'BO-A', priority: Priority.PRIORITY_STANDARD })).toEqual(['BO-A:2@2', 'BO-A:1@3']);
    expect(await list({ sku: 'BO-C', supplierId: 'SUP-BO' })).toEqual([]);
    const unknown = await grpcError(t.orders.listBackorders({ supplierId: 'NOBODY' }));
    expect([unknown.code, unknown.reason]).toEqual([status.NOT_FOUND, 'SUPPLIER_NOT_FOUND']);
  });

  it('pages a filtered list across SKUs without duplicates or gaps', async () => {
    const { items } = await walk(async (pageToken) => {
      const page = await t.orders.listBackorders({ supplierId: 'SUP-BO', pageSize: 1, pageToken });
      return { items: page.backorders.map(summary), nextPageToken: page.nextPageToken };
    });
    expect(items).toEqual(['BO-A:3@1v', 'BO-A:2@2', 'BO-A:1@3', 'BO-B:4@1v', 'BO-B:1@2']);
  });

  it('shows the ETA Orders keeps, the same as the live one of the SKU queue', async () => {
    await settle(t); // demand reaches Procurement
    for (let round = 0; round < 10 && ((await t.app.dispatchers.procurement!.drain()) > 0 || (await t.app.dispatchers.orders!.drain()) > 0); round++);
    const live = (await t.orders.listBackorders({ sku: 'BO-B' })).backorders;
    const across = (await t.orders.listBackorders({ supplierId: 'SUP-BO', pageSize: 1000 })).backorders.filter((b) => b.sku === 'BO-B');
    expect(live[0].eta?.source).toBe(EtaSource.ETA_SOURCE_BUFFER);
    expect(across.map((b) => b.eta)).toEqual(live.map((b) => b.eta));
  });

  it('refuses bad filters with field violations', async () => {
    const bad = await grpcError(
      t.orders.listBackorders({ sku: 'no spaces', supplierId: ' ', priority: 9 as Priority, minAge: { seconds: -1, nanos: 0 }, pageSize: -1 }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['min_age', 'priority', 'sku', 'supplier_id']);
    const token = await grpcError(t.orders.listBackorders({ pageToken: Buffer.from('[1,2]').toString('base64url') }));
    expect(token.violations.map((v) => v.field)).toEqual(['page_token']);
    expect((await grpcError(t.clientsAs({ sub: 'shop', roles: ['storefront'] }).orders.listBackorders({}))).code).toBe(status.PERMISSION_DENIED);
  });
});

describe('GetBackorderMetrics', () => {
  beforeAll(async () => {
    await seedSupplier(t, 'SUP-KPI', {}, [{ sku: 'KPI-EUR' }, { sku: 'KPI-USD' }]);
    await seedSupplier(t, 'SUP-KPI2', {}, [{ sku: 'KPI-OTHER' }]);
    await product(t, 'KPI-EUR', { price: 10, currency: 'EUR' });
    await product(t, 'KPI-USD', { price: 7, currency: 'USD' });
    await product(t, 'KPI-OTHER', { price: 100, currency: 'EUR', onHand: 1 });
    clock.set('2026-04-01T10:00:00Z');
    await order(t, [['KPI-EUR', 2], ['KPI-USD', 3]], { customer: 'k1' });
    await order(t, [['KPI-OTHER', 1]], { customer: 'k2' }); // from stock: not backordered
    clock.set('2026-04-10T10:00:00Z');
    await order(t, [['KPI-EUR', 1], ['KPI-OTHER', 2]], { customer: 'k3' });
    clock.set('2026-04-12T10:00:00Z');
  });

  const window = { startTime: new Date('2026-04-01T00:00:00Z'), endTime: new Date('2026-04-20T00:00:00Z') };

  it('reports each currency separately over a window, never summed', async () => {
    const { metrics } = await t.orders.getBackorderMetrics(window);
    expect(metrics?.openBackorderValues).toEqual([
      { currencyCode: 'EUR', units: 30 + 200, nanos: 0 },
      { currencyCode: 'USD', units: 21, nanos: 0 },
    ]);
    expect(metrics?.openBackorderValue).toBeUndefined();
    expect([metrics?.openBackorderLines, metrics?.openBackorderUnits]).toEqual([4, 8]);
    expect(metrics?.backorderRate).toBeCloseTo(4 / 5);
    expect(metrics?.oldestBackorderAgeDays).toBeCloseTo(11);
  });

  it('narrows to the window: lines of orders placed in it', async () => {
    const { metrics } = await t.orders.getBackorderMetrics({ startTime: new Date('2026-04-05T00:00:00Z'), endTime: window.endTime });
    expect(metrics?.openBackorderValues).toEqual([{ currencyCode: 'EUR', units: 210, nanos: 0 }]);
    expect(metrics?.openBackorderValue).toEqual({ currencyCode: 'EUR', units: 210, nanos: 0 });
    expect([metrics?.openBackorderLines, metrics?.openBackorderUnits, metrics?.oldestBackorderAgeDays]).toEqual([2, 3, 2]);
    const before = (await t.orders.getBackorderMetrics({ startTime: window.startTime, endTime: new Date('2026-04-01T10:00:00Z') })).metrics;
    expect([before?.openBackorderLines, before?.openBackorderValues]).toEqual([0, []]);
  });

  it('per supplier and per SKU', async () => {
    const kpi = (await t.orders.getBackorderMetrics({ ...window, supplierId: 'SUP-KPI' })).metrics;
    expect(kpi?.openBackorderValues).toEqual([
      { currencyCode: 'EUR', units: 30, nanos: 0 },
      { currencyCode: 'USD', units: 21, nanos: 0 },
    ]);
    expect([kpi?.openBackorderLines, kpi?.openBackorderUnits, kpi?.backorderRate]).toEqual([3, 6, 1]);
    const other = (await t.orders.getBackorderMetrics({ ...window, supplierId: 'SUP-KPI2' })).metrics;
    expect([other?.openBackorderLines, other?.openBackorderValue, other?.backorderRate]).toEqual([1, { currencyCode: 'EUR', units: 200, nanos: 0 }, 0.5]);
    const usd = (await t.orders.getBackorderMetrics({ sku: 'KPI-USD' })).metrics;
    expect([usd?.openBackorderUnits, usd?.openBackorderValue]).toEqual([3, { currencyCode: 'USD', units: 21, nanos: 0 }]);
    const none = (await t.orders.getBackorderMetrics({ sku: 'KPI-USD', supplierId: 'SUP-KPI2' })).metrics;
    expect(none?.openBackorderLines).toBe(0);
  });

  it('refuses a window that ends before it starts, and callers who are not planners', async () => {
    const bad = await grpcError(t.orders.getBackorderMetrics({ startTime: window.endTime, endTime: window.startTime, sku: '#' }));
    expect([bad.code, bad.violations.map((v) => v.field).sort()]).toEqual([status.INVALID_ARGUMENT, ['end_time', 'sku']]);
    expect((await grpcError(t.clientsAs({ sub: 'wh', roles: ['warehouse'] }).orders.getBackorderMetrics({}))).code).toBe(status.PERMISSION_DENIED);
    const planner = t.clientsAs({ sub: 'pl', roles: ['planner'] }).orders;
    expect((await planner.getBackorderMetrics({ supplierId: 'SUP-KPI' })).metrics?.openBackorderLines).toBe(3);
  });
});

describe('ListPurchaseOrders filters', () => {
  const numbers: Record<string, string> = {};
  beforeAll(async () => {
    await seedSupplier(t, 'PO-S1', {}, [{ sku: 'POF-1' }]);
    await seedSupplier(t, 'PO-S2', {}, [{ sku: 'POF-2' }]);
    // Six POs, one a day: S1, S2, S1, S2, S1, S2.
    for (let day = 0; day < 6; day++) {
      const supplierId = day % 2 === 0 ? 'PO-S1' : 'PO-S2';
      await t.procurement.recordDemand({ demandId: `pof-${day}`, sku: day % 2 === 0 ? 'POF-1' : 'POF-2', quantity: 1 + day });
      const asOfTime = new Date(Date.UTC(2026, 4, 1 + day, 12));
      const [po] = (await t.procurement.evaluateBuffers({ asOfTime, supplierId, force: true })).purchaseOrders;
      numbers[`d${day}`] = po.purchaseOrderId;
      numbers[`n${day}`] = po.number;
    }
    await t.procurement.cancelPurchaseOrder({ purchaseOrderId: numbers.d1, reason: 'not needed' });
    await t.procurement.receivePurchaseOrder({ receiptId: 'pof-r2', purchaseOrderId: numbers.d2, lines: [{ sku: 'POF-1', quantity: 3 }], receivedTime: new Date('2026-05-10T00:00:00Z') });
    await t.procurement.receivePurchaseOrder({ receiptId: 'pof-r4', purchaseOrderId: numbers.d4, lines: [{ sku: 'POF-1', quantity: 1 }], receivedTime: new Date('2026-05-10T00:00:00Z') });
  });

  const ids = async (request: Parameters<typeof t.procurement.listPurchaseOrders>[0], pageSize = 1000) =>
    (
      await walk(async (pageToken) => {
        const page = await t.procurement.listPurchaseOrders({ ...request, pageSize, pageToken });
        return { items: page.purchaseOrders.filter((po) => po.supplierId.startsWith('PO-S')).map((po) => po.purchaseOrderId), nextPageToken: page.nextPageToken };
      })
    ).items;
  const days = (...d: number[]) => d.map((day) => numbers[`d${day}`]);

  it('walks every page newest first without duplicates or gaps', async () => {
    expect(await ids({ supplierId: 'PO-S1' }, 1)).toEqual(days(4, 2, 0));
    expect(await ids({ createStartTime: new Date('2026-05-01T00:00:00Z') }, 4)).toEqual(days(5, 4, 3, 2, 1, 0));
  });

  it('filters by several statuses at once, supplier and creation time', async () => {
    const { RECEIVED, PARTIALLY_RECEIVED, CANCELLED, ISSUED } = {
      RECEIVED: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED,
      PARTIALLY_RECEIVED: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED,
      CANCELLED: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED,
      ISSUED: PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED,
    };
    expect(await ids({ statuses: [RECEIVED, PARTIALLY_RECEIVED] })).toEqual(days(4, 2));
    expect(await ids({ statuses: [CANCELLED, ISSUED] }, 2)).toEqual(days(5, 3, 1, 0));
    expect(await ids({ status: CANCELLED, statuses: [RECEIVED] })).toEqual(days(2, 1));
    expect(await ids({ statuses: [ISSUED], supplierId: 'PO-S2' })).toEqual(days(5, 3));
    const may2to4 = { createStartTime: new Date('2026-05-02T12:00:00Z'), createEndTime: new Date('2026-05-04T12:00:00Z') };
    expect(await ids(may2to4)).toEqual(days(2, 1)); // start inclusive, end exclusive
    expect(await ids({ ...may2to4, supplierId: 'PO-S1' })).toEqual(days(2));
  });

  it('searches the PO number by a fragment, ignoring case, with LIKE characters as plain text', async () => {
    const tail = numbers.n3.slice(-4); // e.g. "0004"
    expect(await ids({ numberQuery: numbers.n3.toLowerCase() })).toEqual(days(3));
    expect(await ids({ numberQuery: tail })).toEqual(days(3));
    expect(await ids({ numberQuery: 'po-2026' })).toEqual(days(5, 4, 3, 2, 1, 0));
    expect(await ids({ numberQuery: 'PO-%' })).toEqual([]);
    expect(await ids({ numberQuery: '_' })).toEqual([]);
    expect(await ids({ numberQuery: tail, supplierId: 'PO-S1' })).toEqual([]);
  });

  it('refuses bad statuses, an inverted range and a long query', async () => {
    const bad = await grpcError(
      t.procurement.listPurchaseOrders({
        statuses: [PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT, PurchaseOrderStatus.PURCHASE_ORDER_STATUS_UNSPECIFIED, 42 as PurchaseOrderStatus],
        createStartTime: new Date('2026-05-03T00:00:00Z'),
        createEndTime: new Date('2026-05-02T00:00:00Z'),
        numberQuery: 'x'.repeat(65),
      }),
    );
    expect([bad.code, bad.violations.map((v) => v.field).sort()]).toEqual([status.INVALID_ARGUMENT, ['create_end_time', 'number_query', 'statuses[1]', 'statuses[2]']]);
    expect((await grpcError(t.clientsAs({ sub: 'shop', roles: ['storefront'] }).procurement.listPurchaseOrders({}))).code).toBe(status.PERMISSION_DENIED);
    const warehouse = t.clientsAs({ sub: 'wh', roles: ['warehouse'] }).procurement;
    expect((await warehouse.listPurchaseOrders({ supplierId: 'PO-S2', numberQuery: numbers.n5 })).purchaseOrders.map((po) => po.purchaseOrderId)).toEqual(days(5));
  });
});

it('shows the supplier of a new supplier product as serving on upsert', async () => {
  const { supplierProduct } = await t.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: 'SP-B', sku: 'SPK-NEW', supplierSku: 'N', unitCost: eur(5), packSize: 1, minOrderQuantity: 0 },
  });
  expect(supplierProduct?.serving).toBe(true);
  await t.procurement.upsertSupplier({ supplier: supplierOf('SP-D') });
  const second = await t.procurement.upsertSupplierProduct({
    supplierProduct: { supplierId: 'SP-D', sku: 'SPK-NEW', supplierSku: 'N', unitCost: eur(5), packSize: 1, minOrderQuantity: 0, serving: true },
  });
  expect(second.supplierProduct?.serving).toBe(false); // serving is output only
});
