import { dateIn, formatAmount, lineTotal, purchaseOrderCsv, purchaseOrderEmail } from './purchase-order-email';

const po = {
  number: 'PO-2026-000042',
  supplierName: 'Acme <Tools> & Co',
  supplierEmail: 'orders@acme.example',
  timeZone: 'Europe/Berlin',
  currencyCode: 'EUR',
  requestedDeliveryTime: new Date('2026-03-09T23:30:00Z'),
  lines: [
    { sku: 'BOLT-1', supplierSku: 'A,"bolt"', quantity: 12, unitCost: '1.500000000' },
    { sku: 'NUT-1', supplierSku: 'N1', quantity: 3, unitCost: '0.333333333' },
  ],
};

describe('purchase order email', () => {
  it('formats amounts exactly', () => {
    expect(lineTotal('1.500000000', 12)).toBe('18.000000000');
    expect(formatAmount('18.000000000')).toBe('18.00');
    expect(formatAmount('0.999999999')).toBe('0.999999999');
    expect(formatAmount('2.50')).toBe('2.50');
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
});
