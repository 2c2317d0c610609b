import { readdir, readFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMailer, messageIdFor, type Email } from '../src/platform/mail';
import { sqlOf, transaction } from '../src/platform/orm';
import { enqueue } from '../src/platform/outbox';
import { query } from './support/db';
import { order, product } from './support/fixtures';
import { startTestApp, waitFor } from './support/harness';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

const FROM = 'Restock Purchasing <purchasing@restock.test>';
const email: Email = {
  to: 'supplier@example.com',
  subject: 'PO-2026-000001',
  text: 'Please deliver 10 x ACME-1',
  html: '<p>Please deliver <b>10</b> x ACME-1</p>',
  attachments: [{ filename: 'lines.csv', content: 'sku,quantity\nACME-1,10\n', contentType: 'text/csv' }],
};

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.close());
beforeEach(() => {
  smtp.messages.length = 0;
  smtp.down = false;
});

describe('mailer', () => {
  it('sends through SMTP with a Message-ID derived from the dedupe key', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: FROM, mailDir: '/nonexistent' });
    await mailer.send(email, 'po-email:PO-2026-000001');
    mailer.close();
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail.messageId).toBe(messageIdFor('po-email:PO-2026-000001', FROM));
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@restock\.test>$/);
    expect(mail.from?.value).toEqual([{ name: 'Restock Purchasing', address: 'purchasing@restock.test' }]);
    expect(mail.subject).toBe('PO-2026-000001');
    expect(mail.text?.trim()).toBe(email.text);
    expect(mail.html).toContain('<b>10</b>');
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['lines.csv', 'sku,quantity\nACME-1,10\n']]);
    expect(messageIdFor('another key', FROM)).not.toBe(mail.messageId);
  });

  it('writes an .eml file per dedupe key when no SMTP server is configured', async () => {
    const mailDir = await mkdtemp(path.join(os.tmpdir(), 'restock-mail-'));
    const mailer = createMailer({ from: FROM, mailDir });
    await mailer.send(email, 'k-1');
    await mailer.send(email, 'k-1'); // a retry rewrites the same file
    await mailer.send({ ...email, subject: 'second' }, 'k-2');
    const files = (await readdir(mailDir)).sort();
    expect(files).toHaveLength(2);
    const first = await readFile(path.join(mailDir, files[0]), 'utf8');
    expect(first).toContain(`Message-ID: ${messageIdFor('k-1', FROM)}`);
    expect(first).toContain('To: supplier@example.com');
  });

  it('an email in the outbox survives an SMTP outage and arrives once when the server is back', async () => {
    const t = await startTestApp({ background: false, env: { SMTP_URL: smtp.url, MAIL_FROM: FROM, OUTBOX_BACKOFF_MS: '50' } });
    try {
      const orm = t.app.orms.inventory!;
      await transaction(orm, (sql) => enqueue(sql, 'inventory', [{ topic: 'email', key: 'outage-mail', payload: email }]));
      smtp.down = true;
      await t.app.dispatchers.inventory!.drain();
      const [pending] = await sqlOf(orm.em)<{ status: string; lastError: string }>("SELECT status, last_error FROM inventory.outbox WHERE dedupe_key = 'outage-mail'");
      expect(pending.status).toBe('pending');
      expect(pending.lastError).toMatch(/451/);
      expect(smtp.messages).toHaveLength(0);

      smtp.down = false;
      await waitFor(async () => (await t.app.dispatchers.inventory!.drain(), smtp.messages.length === 1), { what: 'the email after the outage' });
      expect(smtp.messages[0].messageId).toBe(messageIdFor('outage-mail', FROM));
      await t.app.dispatchers.inventory!.drain();
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });

  it('with the dispatchers running, emails of a real flow wait out an SMTP outage of several attempts and each arrives once, with the Message-ID of its key', async () => {
    smtp.down = true;
    const t = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: FROM, CUSTOMER_MAIL_FROM: FROM, OUTBOX_BACKOFF_MS: '50', OUTBOX_POLL_MS: '20' } });
    type Mail = { schema: string; dedupeKey: string; status: string; attempts: number; lastError: string | null };
    const emails = async () =>
      (
        await Promise.all(
          ['orders', 'procurement'].map((schema) =>
            query<Mail>(t.databaseUrl, `SELECT '${schema}' AS schema, dedupe_key, status, attempts, last_error FROM ${schema}.outbox WHERE topic IN ('email', 'procurement.send-purchase-order') ORDER BY id`),
          ),
        )
      ).flat();
    try {
      // three customers' confirmations and, once the planner releases the buffer long before its (leap day)
      // schedule, their good ETA news (Orders), and a purchase order (Procurement), all while SMTP refuses mail
      await product(t, 'OUT-1', { onHand: 1 });
      await t.procurement.upsertSupplier({
        supplier: { supplierId: 'OUTAGE', name: 'Outage Ltd', email: 'po@outage.example', timeZone: 'UTC', quotedLeadTimeDays: 3, currencyCode: 'EUR', bufferPolicy: { releaseSchedule: '0 10 29 2 *' } },
      });
      await t.procurement.upsertSupplierProduct({ supplierProduct: { supplierId: 'OUTAGE', sku: 'OUT-1', supplierSku: 'O-1', unitCost: { currencyCode: 'EUR', units: 5, nanos: 0 }, packSize: 1 } });
      for (const customer of ['out-ann', 'out-bob', 'out-cid']) await order(t, [['OUT-1', 2]], { customer, requestId: `${customer}-1` });
      await waitFor(async () => (await t.procurement.getBuffer({ supplierId: 'OUTAGE' })).buffer?.totalQuantity === 5, { what: 'the backorders in the buffer' });
      const { purchaseOrders } = await t.procurement.evaluateBuffers({ supplierId: 'OUTAGE', force: true });
      expect(purchaseOrders).toHaveLength(1);

      // the outage lasts several attempts of every email
      await waitFor(async () => {
        const waiting = await emails();
        return waiting.length === 7 && waiting.every((m) => m.status === 'pending' && m.attempts >= 3) && waiting;
      }, { what: 'every email to fail three times', timeoutMs: 30_000 });
      expect(smtp.messages).toHaveLength(0);
      expect((await emails()).every((m) => /451/.test(m.lastError ?? ''))).toBe(true);

      smtp.down = false;
      const sent = await waitFor(async () => {
        const all = await emails();
        return all.every((m) => m.status === 'delivered') && all;
      }, { what: 'every email after the outage', timeoutMs: 30_000 });
      // delivered rows are never sent again: what arrived by now is all that will
      expect(smtp.messages).toHaveLength(7);
      expect(smtp.messages.map((m) => m.messageId).sort()).toEqual(sent.map((m) => messageIdFor(m.dedupeKey, FROM)).sort());
      for (const customer of ['out-ann', 'out-bob', 'out-cid']) expect(smtp.to(`${customer}@example.com`).map((m) => m.subject?.replace(/ord-[0-9a-f-]+/, 'ORDER')).sort()).toEqual(['Order ORDER confirmed', 'Order ORDER: good news about your backordered items']);
      expect(smtp.to('po@outage.example', new RegExp(purchaseOrders[0].number))).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });
});
