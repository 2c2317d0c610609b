import type { Money } from '../gen/restock/common/v1/money';
import { invalidArgument, type FieldViolation } from './errors';

export const MAX_QUANTITY = 1_000_000;
const SKU = /^[A-Za-z0-9._-]{1,64}$/;
const ID = /^[\x21-\x7e]{1,128}$/;
const EMAIL = /^[^\s@<>()",;]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const CURRENCY = /^[A-Z]{3}$/;

/** Checks a request's fields and reports every bad one at once as INVALID_ARGUMENT. */
export class Validator {
  private readonly violations: FieldViolation[] = [];

  /** Records a violation of field unless ok holds. */
  check(ok: boolean, field: string, description: string): this {
    if (!ok) this.violations.push({ field, description });
    return this;
  }

  sku(field: string, value: string): this {
    return this.check(SKU.test(value), field, 'must be 1-64 characters of A-Z a-z 0-9 . _ -');
  }

  id(field: string, value: string): this {
    return this.check(ID.test(value), field, 'must be 1-128 printable ASCII characters without spaces');
  }

  email(field: string, value: string): this {
    return this.check(value.length <= 254 && EMAIL.test(value), field, 'must be an email address');
  }

  currency(field: string, value: string): this {
    return this.check(CURRENCY.test(value), field, 'must be an ISO 4217 code such as EUR');
  }

  text(field: string, value: string, { min = 0, max = 500 } = {}): this {
    return this.check(value.length >= min && value.length <= max, field, min > 0 ? `must be ${min}-${max} characters` : `must be at most ${max} characters`);
  }

  /** A non-negative amount of money in a valid currency. */
  money(field: string, value: Money | undefined): this {
    if (!value) return this.check(false, field, 'is required');
    return this.currency(`${field}.currency_code`, value.currencyCode)
      .check(Number.isSafeInteger(value.units) && value.units >= 0, `${field}.units`, 'must be a non-negative whole number')
      .check(Number.isInteger(value.nanos) && value.nanos >= 0 && value.nanos < 1e9, `${field}.nanos`, 'must be 0-999999999');
  }

  quantity(field: string, value: number, { min = 1, max = MAX_QUANTITY } = {}): this {
    return this.check(Number.isInteger(value) && value >= min && value <= max, field, `must be an integer from ${min} to ${max}`);
  }

  /** Throws INVALID_ARGUMENT listing every violation, if any. */
  done(): void {
    if (this.violations.length > 0) throw invalidArgument(this.violations);
  }
}
