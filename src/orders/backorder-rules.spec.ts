import { backorderRefusals, orderRefused } from './backorder-rules';

const policy = (acceptBackorders: boolean, maxBackorderQuantityPerCustomer = 0, discontinued = false) => ({ acceptBackorders, maxBackorderQuantityPerCustomer, discontinued });

describe('backorderRefusals', () => {
  it('refuses discontinued products, products without backorders, and shortfalls over the customer cap', () => {
    const refusals = backorderRefusals(
      new Map([['DISC', 1], ['NOBO', 1], ['CAP', 3], ['OK', 3], ['FREE', 500]]),
      new Map([
        ['DISC', policy(true, 0, true)],
        ['NOBO', policy(false)],
        ['CAP', policy(true, 5)],
        ['OK', policy(true, 5)],
        ['FREE', policy(true, 0)],
      ]),
      new Map([['CAP', 3], ['OK', 2]]),
    );
    expect(Object.fromEntries(refusals)).toEqual({ DISC: 'PRODUCT_DISCONTINUED', NOBO: 'BACKORDERS_NOT_ACCEPTED', CAP: 'BACKORDER_LIMIT_EXCEEDED' });
  });

  it('names the common reason, else INSUFFICIENT_STOCK, with a reason per SKU', () => {
    const one = orderRefused(new Map([['A', 'BACKORDERS_NOT_ACCEPTED' as const]]), new Map([['A', 2]]));
    expect([one.kind, one.reason, one.metadata.A]).toEqual(['FAILED_PRECONDITION', 'BACKORDERS_NOT_ACCEPTED', 'BACKORDERS_NOT_ACCEPTED']);
    const mixed = orderRefused(new Map([['A', 'PRODUCT_DISCONTINUED' as const], ['B', 'BACKORDER_LIMIT_EXCEEDED' as const]]), new Map([['A', 1], ['B', 1]]));
    expect([mixed.reason, mixed.metadata.skus, mixed.metadata.B]).toEqual(['INSUFFICIENT_STOCK', 'A,B', 'BACKORDER_LIMIT_EXCEEDED']);
  });
});
