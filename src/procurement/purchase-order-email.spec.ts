import { Amount } from '../platform/money';
import { dateIn } from '../platform/zoned-time';
import { purchaseOrderCsv, purchaseOrderEmail } from './purchase-order-email';

const po = {
  number: 'PO-2026-000042',
  supplierName: 'Acme <Tools> & Co',
  supplierEmail: 'orders@acme.example',
  timeZone: 'Europe/Berlin',
  currencyCode: 'EUR',
  requestedDeliveryTime: new Date('2026-03-09T23:30:00Z'),
  lines: [
    { sku: 'BOLT-1', supplierSku: 'A,"bolt"', quantity: 12, unitCost: Amount.parse('1.500000000', 'EUR') },
    { sku: 'NUT-1', supplierSku: 'N1', quantity: 3, unitCost: Amount.parse('0.333333333', 'EUR') },
  ],
};

describe('purchase order email', () => {
  it('formats amounts exactly', () => {
    const { text } = purchaseOrderEmail(po);
    expect(text).toContain('A,"bolt" (our SKU BOLT-1): 12 x 1.50 EUR = 18.00 EUR');
    expect(text).toContain('N1 (our SKU NUT-1): 3 x 0.333333333 EUR = 0.999999999 EUR');
    const single = purchaseOrderEmail({ ...po, lines: [{ sku: 'W-1', supplierSku: 'W1', quantity: 1, unitCost: Amount.parse('2.50', 'EUR') }] });
    expect(single.text).toContain('Total: 2.50 EUR');
  });

  it('refuses to total lines priced in another currency than the PO', () => {
    const mixed = { ...po, lines: [...po.lines, { sku: 'USD-1', supplierSku: 'U1', quantity: 1, unitCost: Amount.parse('1', 'USD') }] };
    expect(() => purchaseOrderEmail(mixed)).toThrow(expect.objectContaining({ reason: 'CURRENCY_MISMATCH' }));
  });

  it('dates the delivery in the supplier time zone', () => {
    expect(dateIn(po.requestedDeliveryTime, 'Europe/Berlin')).toBe('2026-03-10');
  });

  it('quotes CSV fields that need it', () => {
    expect(purchaseOrderCsv(po).split('\r\n')).toEqual([
      'supplier_sku,sku,quantity,unit_cost,line_total,currency',
      '"A,""bolt""",BOLT-1,12,1.50,18.00,EUR',
      'N1,NUT-1,3,0.333333333,0.999999999,EUR',
      '',
    ]);
  });

  it('escapes supplier text in the HTML body', () => {
    const email = purchaseOrderEmail(po);
    expect(email.subject).toContain('PO-2026-000042');
    expect(email.html).toContain('Acme &lt;Tools&gt; &amp; Co');
    expect(email.text).toContain('Total: 18.999999999 EUR');
  });

  it('closes with the link and the buyer contact, names the ship-to address, and escapes them in HTML', () => {
    const correspondence = { replyTo: 'buying@example.com', buyerContact: 'Jo <jo@example.com>', shipTo: 'Dock "4" & Co', link: 'https://x.example/supplier/purchase-orders/t?a=1&b=2' };
    const email = purchaseOrderEmail(po, correspondence);
    expect(email.replyTo).toBe('buying@example.com');
    expect(email.text).toContain('Ship to: Dock "4" & Co');
    expect(email.text).toContain('https://x.example/supplier/purchase-orders/t?a=1&b=2\n\nQuestions about this order: Jo <jo@example.com>');
    expect(email.html).toContain('Ship to: <strong>Dock &quot;4&quot; &amp; Co</strong>');
    expect(email.html).toContain('<a href="https://x.example/supplier/purchase-orders/t?a=1&amp;b=2">');
    expect(email.html).toContain('Questions about this order: Jo &lt;jo@example.com&gt;');
    // without a ship-to address none is printed; a resend says so in its subject and body
    const resent = purchaseOrderEmail(po, { ...correspondence, shipTo: undefined }, true);
    expect(resent.text).not.toContain('Ship to');
    expect(resent.subject).toBe('Purchase order PO-2026-000042 (sent again)');
    expect(resent.text).toContain('We send you this purchase order again');
  });
});
