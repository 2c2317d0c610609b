import { html, type SafeHtml } from '../platform/html';
import type { Email } from '../platform/mail';
import { Amount } from '../platform/money';
import { dateIn } from '../platform/zoned-time';

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

/**
 * What every email about a PO carries besides the PO: where replies go (Reply-To), who the supplier talks to,
 * where the goods go (printed on the PO itself when configured) and the link to the supplier's page of the PO.
 */
export interface Correspondence {
  replyTo: string;
  buyerContact: string;
  shipTo?: string;
  /** The supplier's link to its page of the PO; unset: none (a cancelled PO has nothing left to answer). */
  link?: string;
}

const INVITATION = 'Confirm, decline or revise the lines of this purchase order online (no account needed):';

/** The closing lines of an email about a PO: the supplier's link, then whom to contact; as text and HTML. */
function closing(correspondence: Correspondence | undefined): { text: string[]; html: SafeHtml } {
  if (!correspondence) return { text: [], html: html`` };
  const { link, buyerContact } = correspondence;
  return {
    text: [...(link ? ['', INVITATION, link] : []), '', `Questions about this order: ${buyerContact}`],
    html: html`${link ? html`<p>${INVITATION}<br><a href="${link}">${link}</a></p>\n` : ''}<p>Questions about this order: ${buyerContact}</p>`,
  };
}

/** The email's envelope: the supplier's address, and the Reply-To when there is correspondence. */
function envelope(to: string, correspondence: Correspondence | undefined): Pick<Email, 'to' | 'replyTo'> {
  return correspondence ? { to, replyTo: correspondence.replyTo } : { to };
}

/**
 * The email that sends a PO to its supplier: PO number in the subject, lines in text, HTML and CSV, the
 * ship-to address when configured, and the closing (link, buyer contact). `resent` marks a copy sent again.
 */
export function purchaseOrderEmail(po: PurchaseOrderDocument, correspondence?: Correspondence, resent = false): Email {
  // Summed from zero in the PO's currency: a line priced in another currency is CURRENCY_MISMATCH.
  const total = po.lines.reduce((sum, l) => sum.plus(l.unitCost.times(l.quantity)), Amount.zero(po.currencyCode)).format();
  const deliverBy = dateIn(po.requestedDeliveryTime, po.timeZone);
  const rows = po.lines.map((l) => ({ ...l, cost: l.unitCost.format(), lineTotal: l.unitCost.times(l.quantity).format() }));
  const shipTo = correspondence?.shipTo;
  const end = closing(correspondence);
  const again = resent ? 'We send you this purchase order again; it replaces any earlier copy. ' : '';
  const text = [
    `Dear ${po.supplierName},`,
    '',
    `${again}Please supply the following under purchase order ${po.number}.`,
    `Requested delivery date: ${deliverBy}`,
    ...(shipTo ? [`Ship to: ${shipTo}`] : []),
    '',
    ...rows.map((r) => `${r.supplierSku} (our SKU ${r.sku}): ${r.quantity} x ${r.cost} ${po.currencyCode} = ${r.lineTotal} ${po.currencyCode}`),
    '',
    `Total: ${total} ${po.currencyCode}`,
    '',
    'The lines are attached as CSV. Please confirm quantities and the delivery date, quoting the PO number.',
    ...end.text,
  ].join('\n');
  const body = html`<p>Dear ${po.supplierName},</p>
<p>${again}Please supply the following under purchase order <strong>${po.number}</strong>.<br>Requested delivery date: <strong>${deliverBy}</strong>${shipTo ? html`<br>Ship to: <strong>${shipTo}</strong>` : ''}</p>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Supplier SKU</th><th>Our SKU</th><th>Quantity</th><th>Unit cost</th><th>Line total</th></tr>
${rows.map((r) => html`<tr><td>${r.supplierSku}</td><td>${r.sku}</td><td>${r.quantity}</td><td>${r.cost} ${po.currencyCode}</td><td>${r.lineTotal} ${po.currencyCode}</td></tr>\n`)}
<tr><td colspan="4"><strong>Total</strong></td><td><strong>${total} ${po.currencyCode}</strong></td></tr>
</table>
<p>The lines are attached as CSV. Please confirm quantities and the delivery date, quoting the PO number.</p>
${end.html}`;
  return {
    ...envelope(po.supplierEmail, correspondence),
    subject: `Purchase order ${po.number}${resent ? ' (sent again)' : ''}`,
    text,
    html: body.value,
    attachments: [{ filename: `${po.number}.csv`, content: purchaseOrderCsv(po), contentType: 'text/csv' }],
  };
}

/** A reminder to confirm a PO sent at sendTime that the supplier has not confirmed yet (reminder `count`). */
export function confirmReminderEmail(po: { number: string; supplierName: string; supplierEmail: string; timeZone: string; sendTime: Date }, correspondence: Correspondence): Email {
  const sent = dateIn(po.sendTime, po.timeZone);
  const ask = `We sent you purchase order ${po.number} on ${sent} and have not had your confirmation yet. Please confirm the quantities and the delivery date, or tell us what you cannot supply.`;
  const end = closing(correspondence);
  return {
    ...envelope(po.supplierEmail, correspondence),
    subject: `Reminder: please confirm purchase order ${po.number}`,
    text: [`Dear ${po.supplierName},`, '', ask, ...end.text].join('\n'),
    html: html`<p>Dear ${po.supplierName},</p>\n<p>${ask}</p>\n${end.html}`.value,
  };
}

/** The notice that a PO is past its promised (else requested) delivery date with units still to come. */
export function overdueReminderEmail(
  po: { number: string; supplierName: string; supplierEmail: string; timeZone: string; dueTime: Date; promised: boolean; lines: { supplierSku: string; sku: string; remaining: number }[] },
  correspondence: Correspondence,
): Email {
  const due = dateIn(po.dueTime, po.timeZone);
  const ask = `Purchase order ${po.number} was ${po.promised ? 'promised' : 'requested'} for delivery on ${due}, and these units have not arrived yet. Please ship them, or give us a new delivery date.`;
  const rows = po.lines.filter((l) => l.remaining > 0);
  const end = closing(correspondence);
  return {
    ...envelope(po.supplierEmail, correspondence),
    subject: `Purchase order ${po.number} is overdue`,
    text: [`Dear ${po.supplierName},`, '', ask, '', ...rows.map((r) => `${r.supplierSku} (our SKU ${r.sku}): ${r.remaining} still to come`), ...end.text].join('\n'),
    html: html`<p>Dear ${po.supplierName},</p>\n<p>${ask}</p>\n<ul>${rows.map((r) => html`<li>${r.supplierSku} (our SKU ${r.sku}): ${r.remaining} still to come</li>`)}</ul>\n${end.html}`.value,
  };
}

/** The email that tells a supplier a PO it already received is cancelled. */
export function purchaseOrderCancellationEmail(po: { number: string; supplierName: string; supplierEmail: string; reason: string }, correspondence?: Correspondence): Email {
  const end = closing(correspondence && { ...correspondence, link: undefined });
  const text = [`Dear ${po.supplierName},`, '', `Please cancel purchase order ${po.number}. Reason: ${po.reason}`, '', 'Do not ship the goods on this order.', ...end.text].join('\n');
  const body = html`<p>Dear ${po.supplierName},</p><p>Please cancel purchase order <strong>${po.number}</strong>. Reason: ${po.reason}</p><p>Do not ship the goods on this order.</p>${end.html}`;
  return { ...envelope(po.supplierEmail, correspondence), subject: `Cancellation of purchase order ${po.number}`, text, html: body.value };
}
