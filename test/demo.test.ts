import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CUSTOMERS, SUPPLIERS } from '../src/demo/story';
import { DEMO_WEEKS, MovableClock, seedDemo, settleApp } from '../src/demo/seed';
import { PurchaseOrderStatus, RevisionChannel } from '../src/gen/restock/procurement/v1/purchase_order';
import { createTestDatabase } from './support/databases';
import { startTestApp, TEST_ADMIN, waitFor, type TestApp } from './support/harness';

// A reduced order volume keeps the suite quick; suppliers, products and the 13 weeks are the full story's.
const SCALE = Number(process.env.DEMO_TEST_SCALE ?? '0.25');
const DAY = 24 * 3600 * 1000;
const ROOT = path.resolve(__dirname, '..');

describe('the demo story, seeded through the API', () => {
  let t: TestApp;
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const start = new Date(end.getTime() - DEMO_WEEKS * 7 * DAY);
  beforeAll(async () => {
    const clock = new MovableClock(new Date(0));
    t = await startTestApp({ clock, background: false });
    await seedDemo({ clients: t, clock, settle: () => settleApp(t.app), end, scale: SCALE });
  }, 600_000);
  afterAll(() => t?.stop());

  it('has about twenty suppliers with differing policies in several time zones, some paused', async () => {
    const { suppliers } = await t.procurement.listSuppliers({ pageSize: 1000 });
    expect(suppliers).toHaveLength(SUPPLIERS.length);
    expect(suppliers.length).toBeGreaterThanOrEqual(18);
    expect(new Set(suppliers.map((s) => s.timeZone)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(suppliers.map((s) => s.currencyCode)).size).toBeGreaterThanOrEqual(2);
    const policies = suppliers.map((s) => s.bufferPolicy!);
    expect(new Set(policies.map((p) => JSON.stringify({ ...p, paused: false }))).size).toBeGreaterThanOrEqual(15);
    expect(policies.some((p) => p.minQuantity > 0)).toBe(true);
    expect(policies.some((p) => p.minValue && Number(p.minValue.units) > 0)).toBe(true);
    expect(policies.some((p) => p.maxWaitDays > 0)).toBe(true);
    expect(policies.filter((p) => p.paused)).toHaveLength(2);

    // planners' changes are in the audit trail, by the caller, with their reasons
    const changed = SUPPLIERS.find((s) => s.change)!;
    const { policyChanges } = await t.procurement.listPolicyChanges({ supplierId: changed.supplierId });
    expect(policyChanges.map((c) => c.reason)).toContain(changed.change!.reason);
    expect(policyChanges[0].updatedBy).toBe(TEST_ADMIN.sub);
  });

  it('has 200 products, each sold by a supplier', async () => {
    const skus: string[] = [];
    let pageToken = '';
    do {
      const page = await t.inventory.listProducts({ pageSize: 100, pageToken });
      skus.push(...page.products.map((p) => p.sku));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(skus).toHaveLength(200);
    const { supplierProducts } = await t.procurement.listSupplierProducts({ pageSize: 1000 });
    expect(new Set(supplierProducts.map((p) => p.sku))).toEqual(new Set(skus));
    expect(new Set(supplierProducts.map((p) => p.packSize)).size).toBeGreaterThan(3);
    expect(supplierProducts.some((p) => p.minOrderQuantity > 0)).toBe(true);
  });

  it('has purchase orders at every status a PO settles in, with lead times measured from their receipts', async () => {
    const { purchaseOrders } = await t.procurement.listPurchaseOrders({ pageSize: 1000 });
    const statuses = new Set(purchaseOrders.map((po) => po.status));
    for (const status of [
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT,
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED,
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED,
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED,
      PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED,
    ]) {
      expect([PurchaseOrderStatus[status], statuses.has(status)]).toEqual([PurchaseOrderStatus[status], true]);
    }
    // released over the whole quarter, at the times the rules fired
    const created = purchaseOrders.map((po) => po.createTime!.getTime());
    expect(Math.min(...created)).toBeLessThan(start.getTime() + 14 * DAY);
    expect(Math.max(...created)).toBeGreaterThan(end.getTime() - 14 * DAY);

    const received = [...new Set(purchaseOrders.filter((po) => po.status === PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED).map((po) => po.supplierId))];
    expect(received.length).toBeGreaterThanOrEqual(10);
    for (const supplierId of received) {
      const { stats } = await t.procurement.getLeadTimeStats({ supplierId });
      expect([supplierId, stats!.observations > 0, stats!.meanDays > 0]).toEqual([supplierId, true, true]);
    }
  });

  it('has suppliers who answered on the page their PO email links to, and answers a planner entered for the others', async () => {
    const { purchaseOrders } = await t.procurement.listPurchaseOrders({ pageSize: 1000 });
    const revisions = (await Promise.all(purchaseOrders.map((po) => t.procurement.listPurchaseOrderRevisions({ purchaseOrderId: po.purchaseOrderId })))).flatMap((r) => r.revisions);
    const throughLink = revisions.filter((r) => r.channel === RevisionChannel.REVISION_CHANNEL_SUPPLIER_LINK);
    const byPlanner = revisions.filter((r) => r.channel === RevisionChannel.REVISION_CHANNEL_API);
    expect([throughLink.length > 0, byPlanner.length > 0]).toEqual([true, true]);
    const numbers = new Map(purchaseOrders.map((po) => [po.purchaseOrderId, po.number]));
    for (const revision of throughLink) expect(revision.revisedBy).toBe(`supplier-link:${numbers.get(revision.purchaseOrderId)}#1`);
    // the link answers came from the suppliers whose habit it is
    const linkSuppliers = new Set(SUPPLIERS.filter((s) => s.habits.answersThroughLink).map((s) => s.supplierId));
    const supplierOf = new Map(purchaseOrders.map((po) => [po.purchaseOrderId, po.supplierId]));
    expect(throughLink.every((r) => linkSuppliers.has(supplierOf.get(r.purchaseOrderId)!))).toBe(true);
  });

  it('has orders over all 13 weeks, and backorders still waiting', async () => {
    const createTimes: number[] = [];
    for (const { customerId } of CUSTOMERS) {
      const { orders } = await t.orders.listOrders({ customerId, pageSize: 1000 });
      createTimes.push(...orders.map((o) => o.createTime!.getTime()));
    }
    expect(createTimes.length).toBeGreaterThan(400 * SCALE);
    const weeks = new Set(createTimes.map((time) => Math.floor((time - start.getTime()) / (7 * DAY))));
    expect([...weeks].sort((a, b) => a - b)).toEqual(Array.from({ length: DEMO_WEEKS }, (_, i) => i));

    const { backorders } = await t.orders.listBackorders({ pageSize: 1000 });
    expect(backorders.length).toBeGreaterThan(5);
    const { buffers } = await t.procurement.listBuffers({ pageSize: 1000 });
    expect(buffers.filter((b) => b.totalQuantity > 0).length).toBeGreaterThan(3);
  });
});

describe('npm run demo', () => {
  let databaseUrl: string;
  let dataDir: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-demo-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  /** `npm run demo` in its own process group (npm, tsx and node), so that all of it can be stopped. */
  function runDemo(env: Record<string, string>) {
    const child = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: ROOT,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATABASE_URL: databaseUrl, GRPC_PORT: '0', CONSOLE_PORT: '0', DEMO_SCALE: '0.05', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
      output: () => output,
      exited,
      async stop() {
        if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
        await exited;
      },
    };
  }

  async function consoleLine(demo: ReturnType<typeof runDemo>): Promise<string> {
    return waitFor(
      async () => {
        if (demo.output().includes('restock demo:')) throw new Error(`the demo failed:\n${demo.output()}`);
        return /^Console: (http\S+)$/m.exec(demo.output())?.[1];
      },
      { timeoutMs: 400_000, what: 'the Console: line' },
    );
  }

  it('seeds, serves and prints the console sign-in link; a second run serves the same story', async () => {
    const first = runDemo({ DATA_DIR: dataDir });
    try {
      const link = await consoleLine(first);
      expect(link).toMatch(/\/sign-in\?token=/);
      expect(first.output()).toMatch(/demo: seeded 20 suppliers, 200 products, \d+ orders/);
    } finally {
      await first.stop();
    }

    const again = runDemo({ DATA_DIR: dataDir });
    try {
      await consoleLine(again);
      expect(again.output()).toContain('already holds the demo story');
      expect(again.output()).not.toContain('demo: seeded');
    } finally {
      await again.stop();
    }
  }, 500_000);

  it('refuses to seed a database that holds data but no finished demo', async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'restock-demo-other-'));
    try {
      const demo = runDemo({ DATA_DIR: otherDir });
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toMatch(/restock demo: the database already holds suppliers but no finished demo/);
      expect(demo.output()).not.toContain('Console:');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  }, 120_000);
});
