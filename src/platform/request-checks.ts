import type { FieldViolation } from './errors';

/** The most elements any repeated field of any request may hold; each RPC may allow fewer (see its handler). */
export const MAX_REPEATED = 1000;

// C0 controls except \t (0x09) and \n (0x0a), DEL, and C1 controls: PostgreSQL refuses NUL, logs and mails garble the rest.
const CONTROL_CHARACTER = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Checks what every field of every request must satisfy, whatever the RPC: no control characters in strings,
 * timestamps within 1970-9999, at most MAX_REPEATED elements in a repeated field. Field paths are as in the .proto.
 */
export function checkRequestFields(request: unknown): FieldViolation[] {
  const violations: FieldViolation[] = [];
  walk(request, '', violations);
  return violations;
}

function walk(value: unknown, field: string, violations: FieldViolation[]): void {
  if (typeof value === 'string') {
    if (CONTROL_CHARACTER.test(value)) violations.push({ field, description: 'must not contain NUL or control characters other than tab and newline' });
  } else if (value instanceof Date) {
    const time = value.getTime();
    if (!(time >= EARLIEST && time <= LATEST)) violations.push({ field, description: 'must be a time from 1970-01-01 to 9999-12-31' });
  } else if (Array.isArray(value)) {
    if (value.length > MAX_REPEATED) violations.push({ field, description: `must have at most ${MAX_REPEATED} elements` });
    else value.forEach((element, i) => walk(element, `${field}[${i}]`, violations));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [key, child] of Object.entries(value)) walk(child, field ? `${field}.${snakeCase(key)}` : snakeCase(key), violations);
  }
}

/** customerEmail → customer_email, as the field is named in the .proto. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
