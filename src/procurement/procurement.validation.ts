import type { BufferPolicy, Supplier, SupplierProduct } from '../gen/restock/procurement/v1/supplier';
import { invalidArgument } from '../platform/errors';
import { MAX_QUANTITY, Validator } from '../platform/validation';
import { POLICY_FIELDS, type PolicySettings } from './buffer-policy';
import { isReleaseSchedule, isTimeZone } from './schedule';

export const MAX_LINES = 1000;
const MAX_DAYS = 365;
/** The highest alternate rank of a supplier product (0 = unranked). */
const MAX_ALTERNATE_RANK = 1000;

/** Checks a buffer policy: no negative threshold, a 5-field cron (empty = default). */
export function checkPolicy(v: Validator, field: string, policy: BufferPolicy | undefined): Validator {
  if (!policy) return v;
  v.quantity(`${field}.min_quantity`, policy.minQuantity, { min: 0, max: MAX_QUANTITY * 100 })
    .quantity(`${field}.max_wait_days`, policy.maxWaitDays, { min: 0, max: MAX_DAYS })
    .check(policy.releaseSchedule.trim() === '' || isReleaseSchedule(policy.releaseSchedule), `${field}.release_schedule`, 'must be a 5-field cron expression');
  if (policy.minValue) v.money(`${field}.min_value`, policy.minValue);
  return v;
}

/**
 * The policy fields an update mask names (AIP-134), or null for the whole policy (no paths, or "*"); each
 * unknown path is a violation naming it.
 */
export function policyMaskFields(v: Validator, paths: string[]): (keyof PolicySettings)[] | null {
  if (paths.length === 0 || (paths.length === 1 && paths[0] === '*')) return null;
  const known = POLICY_FIELDS as Record<string, keyof PolicySettings>;
  paths.forEach((path, i) => v.check(Object.hasOwn(known, path), `update_mask.paths[${i}]`, `unknown BufferPolicy field "${path}"; known: ${Object.keys(known).join(', ')}`));
  return [...new Set(paths.filter((path) => Object.hasOwn(known, path)).map((path) => known[path]))];
}

/** A request policy with the fields a mask does not name cleared (their defaults), so only named fields are checked and used. */
export function maskedPolicy(policy: BufferPolicy, fields: (keyof PolicySettings)[]): BufferPolicy {
  return {
    minQuantity: fields.includes('minQuantity') ? policy.minQuantity : 0,
    minValue: fields.includes('minValue') ? policy.minValue : undefined,
    releaseSchedule: fields.includes('releaseSchedule') ? policy.releaseSchedule : '',
    maxWaitDays: fields.includes('maxWaitDays') ? policy.maxWaitDays : 0,
    paused: fields.includes('paused') ? policy.paused : false,
  };
}

/** Checks a supplier: id, name, email, IANA time zone, currency, lead time and policy. */
export function checkSupplier(supplier: Supplier | undefined): void {
  if (!supplier) throw invalidArgument([{ field: 'supplier', description: 'is required' }]);
  const v = new Validator()
    .id('supplier.supplier_id', supplier.supplierId)
    .text('supplier.name', supplier.name, { min: 1, max: 200 })
    .email('supplier.email', supplier.email)
    .check(isTimeZone(supplier.timeZone), 'supplier.time_zone', 'must be an IANA time zone such as Europe/Berlin')
    .quantity('supplier.quoted_lead_time_days', supplier.quotedLeadTimeDays, { min: 0, max: MAX_DAYS })
    .currency('supplier.currency_code', supplier.currencyCode);
  checkPolicy(v, 'supplier.buffer_policy', supplier.bufferPolicy);
  const minValue = supplier.bufferPolicy?.minValue;
  if (minValue && (minValue.units !== 0 || minValue.nanos !== 0)) {
    v.check(minValue.currencyCode === supplier.currencyCode, 'supplier.buffer_policy.min_value.currency_code', 'must be the supplier currency');
  }
  v.done();
}

/** Checks a supplier product: pack size >= 1, MOQ >= 0, alternate rank 0-1000, a unit cost. */
export function checkSupplierProduct(product: SupplierProduct | undefined): void {
  if (!product) throw invalidArgument([{ field: 'supplier_product', description: 'is required' }]);
  new Validator()
    .id('supplier_product.supplier_id', product.supplierId)
    .sku('supplier_product.sku', product.sku)
    .text('supplier_product.supplier_sku', product.supplierSku, { min: 1, max: 64 })
    .money('supplier_product.unit_cost', product.unitCost)
    .quantity('supplier_product.pack_size', product.packSize, { min: 1 })
    .quantity('supplier_product.min_order_quantity', product.minOrderQuantity, { min: 0 })
    .quantity('supplier_product.alternate_rank', product.alternateRank, { min: 0, max: MAX_ALTERNATE_RANK })
    .done();
}

/** Checks 1..MAX_LINES lines with distinct SKUs, then each line. */
export function checkLines<L extends { sku: string }>(v: Validator, lines: L[], each: (line: L, field: string) => void, { min = 1 } = {}): Validator {
  v.check(lines.length >= min && lines.length <= MAX_LINES, 'lines', `must have ${min}-${MAX_LINES} lines`);
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    v.sku(`lines[${i}].sku`, line.sku).check(!seen.has(line.sku), `lines[${i}].sku`, 'appears twice');
    seen.add(line.sku);
    each(line, `lines[${i}]`);
  });
  return v;
}

/** An optional id: empty, or a valid id. */
export function optionalId(v: Validator, field: string, value: string): Validator {
  return value === '' ? v : v.id(field, value);
}
