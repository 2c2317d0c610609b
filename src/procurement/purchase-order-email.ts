import { html } from '../platform/html';
import type { Email } from '../platform/mail';
import { Amount } from '../platform/money';

/** What a PO email shows: the PO as sent, with its supplier's name and time zone; unit costs in the PO's currency. */
export interface PurchaseOrderDocument {
  number: string;
  supplierName: string;
  supplierEmail: string;
  timeZone: string;
  currencyCode: string;
  requestedDeliveryTime: Date;
  lines: { sku: string; supplierSku: string; quantity: number; unitCost: Amount }[];
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
    rows.push([line.supplierSku, line.sku, String(line.quantity), line.unitCost.format(), line.unitCost.times(line.quantity).format(), po.currencyCode]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The email that sends a PO to its supplier: PO number in the subject, lines in text, HTML and CSV. */
export function purchaseOrderEmail(po: PurchaseOrderDocument): Email {
  // Summed from zero in the PO's currency: a line priced in another currency is CURRENCY_MISMATCH.
  const total = po.lines.reduce((sum, l) => sum.plus(l.unitCost.times(l.quantity)), Amount.zero(po.currencyCode)).format();
  const deliverBy = dateIn(po.requestedDeliveryTime, po.timeZone);
  const rows = po.lines.map((l) => ({ ...l, cost: l.unitCost.format(), lineTotal: l.unitCost.times(l.quantity).format() }));
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

/** A PO email with the link to the supplier's page of the PO, where it can confirm, decline or revise lines. */
export function withSupplierLink(email: Email, url: string): Email {
  const invitation = 'Confirm, decline or revise the lines of this purchase order online (no account needed):';
  const link = html`<p>${invitation}<br><a href="${url}">${url}</a></p>`;
  return { ...email, text: `${email.text}\n\n${invitation}\n${url}\n`, html: `${email.html}\n${link.value}` };
}

/** The email that tells a supplier a PO it already received is cancelled. */
export function purchaseOrderCancellationEmail(po: { number: string; supplierName: string; supplierEmail: string; reason: string }): Email {
  const text = `Dear ${po.supplierName},\n\nPlease cancel purchase order ${po.number}. Reason: ${po.reason}\n\nDo not ship the goods on this order.`;
  const body = html`<p>Dear ${po.supplierName},</p><p>Please cancel purchase order <strong>${po.number}</strong>. Reason: ${po.reason}</p><p>Do not ship the goods on this order.</p>`;
  return { to: po.supplierEmail, subject: `Cancellation of purchase order ${po.number}`, text, html: body.value };
}
