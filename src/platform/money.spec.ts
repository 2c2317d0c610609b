import { decimalToMoney, moneyToDecimal } from './money';

describe('money', () => {
  it.each([
    [{ currencyCode: 'EUR', units: 12, nanos: 500_000_000 }, '12.500000000'],
    [{ currencyCode: 'EUR', units: 0, nanos: 1 }, '0.000000001'],
    [{ currencyCode: 'EUR', units: -3, nanos: -250_000_000 }, '-3.250000000'],
  ])('converts %j to %s and back', (money, decimal) => {
    expect(moneyToDecimal(money)).toBe(decimal);
    expect(decimalToMoney(decimal, 'EUR')).toEqual(money);
  });

  it('reads PostgreSQL numeric text of any scale, rounding to nanos', () => {
    expect(decimalToMoney('7', 'USD')).toEqual({ currencyCode: 'USD', units: 7, nanos: 0 });
    expect(decimalToMoney('0.1234567896', 'USD')).toEqual({ currencyCode: 'USD', units: 0, nanos: 123_456_790 });
    expect(decimalToMoney(2.5, 'USD')).toEqual({ currencyCode: 'USD', units: 2, nanos: 500_000_000 });
  });
});
