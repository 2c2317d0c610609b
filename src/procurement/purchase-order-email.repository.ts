import type { Email } from '../platform/mail';
import type { Sql } from '../platform/orm';

/** Why an email about a PO went to its supplier. */
export type PurchaseOrderEmailKind = 'ORDER' | 'CONFIRM_REMINDER' | 'OVERDUE_REMINDER' | 'RESEND' | 'CANCELLATION';

/** One email composed for a PO, as it was (or will be) sent; sendTime is set once the SMTP server accepted it. */
export interface PurchaseOrderEmail {
  emailId: string;
  purchaseOrderId: string;
  kind: PurchaseOrderEmailKind;
  to: string;
  replyTo: string;
  subject: string;
  text: string;
  html: string;
  attachments: NonNullable<Email['attachments']>;
  createTime: Date;
  sendTime: Date | null;
  requestedBy: string;
  reason: string;
}

const COLUMNS = `email_id, purchase_order_id, kind, to_address AS "to", reply_to, subject, text_body AS text, html_body AS html, attachments,
  create_time, send_time, requested_by, reason`;

/**
 * Stores an email composed for the outbox message `outboxKey`, unless one was stored for it already (by a
 * delivery that crashed, or a replica delivering the same message): either way, the one stored is returned.
 */
export async function insertPurchaseOrderEmail(sql: Sql, outboxKey: string, email: PurchaseOrderEmail): Promise<PurchaseOrderEmail> {
  const [inserted] = await sql<PurchaseOrderEmail>(
    `INSERT INTO procurement.purchase_order_email (email_id, outbox_key, purchase_order_id, kind, to_address, reply_to, subject, text_body, html_body,
       attachments, create_time, requested_by, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?) ON CONFLICT (outbox_key) DO NOTHING RETURNING ${COLUMNS}`,
    [email.emailId, outboxKey, email.purchaseOrderId, email.kind, email.to, email.replyTo, email.subject, email.text, email.html,
      JSON.stringify(email.attachments), email.createTime, email.requestedBy, email.reason],
  );
  return inserted ?? (await findEmailOfMessage(sql, outboxKey))!;
}

/** The email stored for an outbox message, if it was composed already. */
export async function findEmailOfMessage(sql: Sql, outboxKey: string): Promise<PurchaseOrderEmail | undefined> {
  const [row] = await sql<PurchaseOrderEmail>(`SELECT ${COLUMNS} FROM procurement.purchase_order_email WHERE outbox_key = ?`, [outboxKey]);
  return row;
}

/** One stored email by its id. */
export async function findPurchaseOrderEmail(sql: Sql, emailId: string): Promise<PurchaseOrderEmail | undefined> {
  const [row] = await sql<PurchaseOrderEmail>(`SELECT ${COLUMNS} FROM procurement.purchase_order_email WHERE email_id = ?`, [emailId]);
  return row;
}

/** Every email composed for a PO, oldest first. */
export function findPurchaseOrderEmails(sql: Sql, purchaseOrderId: string): Promise<PurchaseOrderEmail[]> {
  return sql<PurchaseOrderEmail>(`SELECT ${COLUMNS} FROM procurement.purchase_order_email WHERE purchase_order_id = ? ORDER BY create_time, email_id`, [purchaseOrderId]);
}

/** Records when the SMTP server accepted an email (the first time only). */
export async function recordEmailSent(sql: Sql, emailId: string, sendTime: Date): Promise<void> {
  await sql('UPDATE procurement.purchase_order_email SET send_time = ? WHERE email_id = ? AND send_time IS NULL', [sendTime, emailId]);
}
