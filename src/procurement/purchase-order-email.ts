import { html } from '../platform/html';
import type { Email } from '../platform/mail';

/** What a PO email shows: the PO as sent, with its supplier's name and time zone. */
export interface PurchaseOrderDocument {
  number: string;
  supplierName: string;
  supplierEmail: string;
  timeZone: string;
  currencyCode: string;
  requestedDeliveryTime: Date;
  lines: { sku: string; supplierSku: string; quantity: number; unitCost: string }[];
}

/** A decimal string with two to nine fraction digits (trailing zeros beyond cents dropped). */
export function formatAmount(decimal: string): string {
  const [whole, fraction = ''] = decimal.split('.');
  return `${whole}.${fraction.padEnd(2, '0').replace(/(\d{2}\d*?)0+$/, '$1')}`;
}

/** Multiplies a decimal string by a whole quantity exactly (in nanos). */
export function lineTotal(unitCost: string, quantity: number): string {
  const [whole, fraction = ''] = unitCost.split('.');
  const nanos = (BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9))) * BigInt(quantity);
  return `${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;
}

function sum(decimals: string[]): string {
  const nanos = decimals.reduce((total, d) => total + BigInt(d.replace('.', '')), 0n);
  return `${nanos / 1_000_000_000n}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** The calendar date of time in a time zone, as YYYY-MM-DD. */
export function dateIn(time: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(time);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The PO lines as CSV (RFC 4180), one row per SKU, with a header row. */
export function purchaseOrderCsv(po: PurchaseOrderDocument): string {
  const rows = [['supplier_sku', 'sku', 'quantity', 'unit_cost', 'line_total', 'currency']];
  for (const line of po.lines) {
    rows.push([line.supplierSku, line.sku, String(line.quantity), formatAmount(line.unitCost), formatAmount(lineTotal(line.unitCost, line.quantity)), po.currencyCode]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The email that sends a PO to its supplier: PO number in the subject, lines in text, HTML and CSV. */
export function purchaseOrderEmail(po: PurchaseOrderDocument): Email {
  const total = formatAmount(sum(po.lines.map((l) => lineTotal(l.unitCost, l.quantity))));
  const deliverBy = dateIn(po.requestedDeliveryTime, po.timeZone);
  const rows = po.lines.map((l) => ({ ...l, cost: formatAmount(l.unitCost), lineTotal: formatAmount(lineTotal(l.unitCost, l.quantity)) }));
  const text = [
    `Dear ${po.supplierName},`,
    '',
    `Please supply the following under purchase order ${po.number}.`,
    `Requested delivery date: ${deliverBy}`,
    '',
    ...rows.map((r) => `${r.supplierSku} (our SKU ${r.sku}): ${r.quantity} x ${r.cost} ${po.currencyCode} = ${r.lineTotal} ${po.currencyCode}`),
    '',
    `Total: ${total} ${po.currencyCode}`,
    '',
    'The lines are attached as CSV. Please confirm quantities and the delivery date, quoting the PO number.',
  ].join('\n');
  const body = html`<p>Dear ${po.supplierName},</p>
<p>Please supply the following under purchase order <strong>${po.number}</strong>.<br>Requested delivery date: <strong>${deliverBy}</strong></p>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Supplier SKU</th><th>Our SKU</th><th>Quantity</th><th>Unit cost</th><th>Line total</th></tr>
${rows.map((r) => html`<tr><td>${r.supplierSku}</td><td>${r.sku}</td><td>${r.quantity}</td><td>${r.cost} ${po.currencyCode}</td><td>${r.lineTotal} ${po.currencyCode}</td></tr>\n`)}
<tr><td colspan="4"><strong>Total</strong></td><td><strong>${total} ${po.currencyCode}</strong></td></tr>
</table>
<p>The lines are attached as CSV. Please confirm quantities and the delivery date, quoting the PO number.</p>`;
  return {
    to: po.supplierEmail,
    subject: `Purchase order ${po.number}`,
    text,
    html: body.value,
    attachments: [{ filename: `${po.number}.csv`, content: purchaseOrderCsv(po), contentType: 'text/csv' }],
  };
}

/** The email that tells a supplier a PO it already received is cancelled. */
export function purchaseOrderCancellationEmail(po: { number: string; supplierName: string; supplierEmail: string; reason: string }): Email {
  const text = `Dear ${po.supplierName},\n\nPlease cancel purchase order ${po.number}. Reason: ${po.reason}\n\nDo not ship the goods on this order.`;
  const body = html`<p>Dear ${po.supplierName},</p><p>Please cancel purchase order <strong>${po.number}</strong>. Reason: ${po.reason}</p><p>Do not ship the goods on this order.</p>`;
  return { to: po.supplierEmail, subject: `Cancellation of purchase order ${po.number}`, text, html: body.value };
}
