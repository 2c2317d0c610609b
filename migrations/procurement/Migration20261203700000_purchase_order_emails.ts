import { Migration } from '@mikro-orm/migrations';

/**
 * Every email composed for a PO, kept as it was sent (keyed by its outbox message, so a retry sends the same
 * email), and what the reminders need on the PO: how many went out, when the last did, when the PO started to
 * need a planner's attention, and when its supplier was told it is overdue.
 */
export class Migration20261203700000_purchase_order_emails extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE procurement.purchase_order_email (
      email_id text PRIMARY KEY,
      outbox_key text NOT NULL UNIQUE,
      purchase_order_id text NOT NULL REFERENCES procurement.purchase_order (purchase_order_id),
      kind text NOT NULL CHECK (kind IN ('ORDER', 'CONFIRM_REMINDER', 'OVERDUE_REMINDER', 'RESEND', 'CANCELLATION')),
      to_address text NOT NULL,
      reply_to text NOT NULL,
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text NOT NULL,
      attachments jsonb NOT NULL DEFAULT '[]',
      create_time timestamptz NOT NULL,
      send_time timestamptz,
      requested_by text NOT NULL DEFAULT '',
      reason text NOT NULL DEFAULT '')`);
    this.addSql('CREATE INDEX purchase_order_email_by_purchase_order ON procurement.purchase_order_email (purchase_order_id, create_time, email_id)');
    this.addSql(`ALTER TABLE procurement.purchase_order
      ADD COLUMN reminder_count integer NOT NULL DEFAULT 0 CHECK (reminder_count >= 0),
      ADD COLUMN last_reminder_time timestamptz,
      ADD COLUMN attention_time timestamptz,
      ADD COLUMN overdue_reminder_time timestamptz`);
    // the reminders task reads the sent, unconfirmed POs on every tick
    this.addSql(`CREATE INDEX purchase_order_awaiting_confirmation ON procurement.purchase_order (send_time) WHERE status = 'SENT'`);
  }
}
