import { DomainError } from './errors';
import { Amount, totalsByCurrency } from './money';

describe('Amount', () => {
  it.each([
    [{ currencyCode: 'EUR', units: 12, nanos: 500_000_000 }, '12.500000000'],
    [{ currencyCode: 'EUR', units: 0, nanos: 1 }, '0.000000001'],
    [{ currencyCode: 'EUR', units: -3, nanos: -250_000_000 }, '-3.250000000'],
  ])('converts %j to %s and back', (money, decimal) => {
    expect(Amount.of(money).toDecimal()).toBe(decimal);
    expect(Amount.parse(decimal, 'EUR').toMoney()).toEqual(money);
  });

  it('reads PostgreSQL numeric text of any scale, rounding half up to nanos', () => {
    expect(Amount.parse('7', 'USD').toMoney()).toEqual({ currencyCode: 'USD', units: 7, nanos: 0 });
    expect(Amount.parse('0.1234567896', 'USD').toMoney()).toEqual({ currencyCode: 'USD', units: 0, nanos: 123_456_790 });
    expect(Amount.parse('0.1234567894', 'USD').toMoney()).toEqual({ currencyCode: 'USD', units: 0, nanos: 123_456_789 });
    expect(() => Amount.parse('1e3', 'USD')).toThrow('not a decimal');
    expect(() => Amount.parse('.', 'USD')).toThrow('not a decimal');
  });

  it('multiplies and adds exactly where floats would not', () => {
    const dime = Amount.parse('0.1', 'EUR');
    expect(dime.plus(Amount.parse('0.2', 'EUR')).equals(Amount.parse('0.3', 'EUR'))).toBe(true);
    expect(Amount.parse('19.999999999', 'EUR').times(3).toDecimal()).toBe('59.999999997');
  });

  it('compares amounts exactly: one nano decides', () => {
    const threshold = Amount.parse('100', 'EUR');
    expect(Amount.parse('100.000000000', 'EUR').atLeast(threshold)).toBe(true);
    expect(Amount.parse('99.999999999', 'EUR').atLeast(threshold)).toBe(false);
  });

  it('refuses to add or compare amounts of different currencies', () => {
    const euros = Amount.parse('1', 'EUR');
    const dollars = Amount.parse('1', 'USD');
    expect(() => euros.plus(dollars)).toThrow(DomainError);
    expect(() => euros.atLeast(dollars)).toThrow(/EUR and USD/);
    expect(euros.equals(dollars)).toBe(false);
  });

  it('formats two to nine fraction digits', () => {
    expect(Amount.parse('12.5', 'EUR').format()).toBe('12.50');
    expect(Amount.parse('3', 'EUR').format()).toBe('3.00');
    expect(Amount.parse('0.125', 'EUR').format()).toBe('0.125');
    expect(Amount.parse('-1.000000001', 'EUR').format()).toBe('-1.000000001');
  });

  it('totals per currency, never across currencies', () => {
    const totals = totalsByCurrency([Amount.parse('1.5', 'USD'), Amount.parse('2', 'EUR'), Amount.parse('2.5', 'USD')]);
    expect(totals.map((t) => [t.currencyCode, t.toDecimal()])).toEqual([
      ['EUR', '2.000000000'],
      ['USD', '4.000000000'],
    ]);
  });
});
