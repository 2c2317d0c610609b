import type { Money } from '../gen/restock/common/v1/money';

const NANOS = 1_000_000_000n;

/** Money as an exact decimal string ("12.500000000"), for numeric columns and SQL sums. */
export function moneyToDecimal(money: Money): string {
  const total = BigInt(money.units) * NANOS + BigInt(money.nanos);
  const sign = total < 0n ? '-' : '';
  const abs = total < 0n ? -total : total;
  return `${sign}${abs / NANOS}.${(abs % NANOS).toString().padStart(9, '0')}`;
}

/** A decimal string or number (as PostgreSQL numeric returns it) as Money, rounded to nanos. */
export function decimalToMoney(value: string | number, currencyCode: string): Money {
  const text = typeof value === 'number' ? value.toFixed(9) : value;
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const nanos = BigInt((fraction + '000000000').slice(0, 9));
  const roundUp = fraction.length > 9 && Number(fraction[9]) >= 5 ? 1n : 0n;
  let total = BigInt(whole || '0') * NANOS + nanos + roundUp;
  if (sign) total = -total;
  return { currencyCode, units: Number(total / NANOS), nanos: Number(total % NANOS) };
}
