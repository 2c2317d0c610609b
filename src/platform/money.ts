import type { Money } from '../gen/restock/common/v1/money';
import { failedPrecondition } from './errors';

const NANOS_PER_UNIT = 1_000_000_000n;

/**
 * Amount is an exact sum of money in one currency, counted in nanos (10^-9 of a unit). It is the one
 * decimal type of the codebase: numeric columns come in and go out as decimal strings through it, and
 * amounts of different currencies are never added or compared.
 */
export class Amount {
  private constructor(
    readonly currencyCode: string,
    readonly nanos: bigint,
  ) {}

  /** The amount a protobuf Money states. */
  static of(money: Money): Amount {
    return new Amount(money.currencyCode, BigInt(money.units) * NANOS_PER_UNIT + BigInt(money.nanos));
  }

  /** A decimal string (PostgreSQL numeric text, any scale) in currencyCode, rounded half up to nanos. */
  static parse(decimal: string, currencyCode: string): Amount {
    const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(decimal.trim());
    if (!match || (match[2] === '' && !match[3])) throw new Error(`not a decimal: ${decimal}`);
    const [, sign, whole, fraction = ''] = match;
    const roundUp = fraction.length > 9 && Number(fraction[9]) >= 5 ? 1n : 0n;
    const nanos = BigInt(whole || '0') * NANOS_PER_UNIT + BigInt(fraction.padEnd(9, '0').slice(0, 9)) + roundUp;
    return new Amount(currencyCode, sign ? -nanos : nanos);
  }

  static zero(currencyCode: string): Amount {
    return new Amount(currencyCode, 0n);
  }

  toMoney(): Money {
    return { currencyCode: this.currencyCode, units: Number(this.nanos / NANOS_PER_UNIT), nanos: Number(this.nanos % NANOS_PER_UNIT) };
  }

  /** The exact decimal string with nine fraction digits ("12.500000000"), for numeric columns. */
  toDecimal(): string {
    const abs = this.nanos < 0n ? -this.nanos : this.nanos;
    return `${this.nanos < 0n ? '-' : ''}${abs / NANOS_PER_UNIT}.${(abs % NANOS_PER_UNIT).toString().padStart(9, '0')}`;
  }

  /** The decimal with two to nine fraction digits, for people ("12.50", "0.125"). */
  format(): string {
    const [whole, fraction] = this.toDecimal().split('.');
    return `${whole}.${fraction.replace(/(\d{2}\d*?)0+$/, '$1')}`;
  }

  /** This amount times a whole quantity. */
  times(quantity: number): Amount {
    return new Amount(this.currencyCode, this.nanos * BigInt(quantity));
  }

  plus(other: Amount): Amount {
    return new Amount(this.currencyCode, this.nanos + this.sameCurrency(other).nanos);
  }

  /** True when this amount is at least other (same currency only). */
  atLeast(other: Amount): boolean {
    return this.nanos >= this.sameCurrency(other).nanos;
  }

  equals(other: Amount): boolean {
    return this.currencyCode === other.currencyCode && this.nanos === other.nanos;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  private sameCurrency(other: Amount): Amount {
    if (other.currencyCode !== this.currencyCode) {
      throw failedPrecondition('CURRENCY_MISMATCH', `cannot combine ${this.currencyCode} and ${other.currencyCode} amounts`, {
        currencies: `${this.currencyCode},${other.currencyCode}`,
      });
    }
    return other;
  }
}

/** The amounts summed per currency, ordered by currency code. */
export function totalsByCurrency(amounts: Amount[]): Amount[] {
  const totals = new Map<string, Amount>();
  for (const amount of amounts) totals.set(amount.currencyCode, totals.get(amount.currencyCode)?.plus(amount) ?? amount);
  return [...totals.values()].sort((a, b) => (a.currencyCode < b.currencyCode ? -1 : a.currencyCode > b.currencyCode ? 1 : 0));
}
