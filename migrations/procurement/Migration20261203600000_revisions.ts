import { Migration } from '@mikro-orm/migrations';

/**
 * Per-line promises and the history of a supplier's answers: each PO line keeps its own promised time
 * (lines confirmed before take their PO's), and every confirmation or revision is kept with what it changed.
 */
export class Migration20261203600000_revisions extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.purchase_order_line ADD COLUMN promised_time timestamptz');
    this.addSql(`UPDATE procurement.purchase_order_line l SET promised_time = po.promised_time
      FROM procurement.purchase_order po
      WHERE po.purchase_order_id = l.purchase_order_id AND l.confirmed_quantity > 0 AND po.promised_time IS NOT NULL`);
    this.addSql(`CREATE TABLE procurement.purchase_order_revision (
      revision_id text PRIMARY KEY,
      purchase_order_id text NOT NULL REFERENCES procurement.purchase_order (purchase_order_id),
      revision_number int NOT NULL CHECK (revision_number >= 1),
      revise_time timestamptz NOT NULL,
      revised_by text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('API', 'SUPPLIER_LINK')),
      note text NOT NULL DEFAULT '',
      UNIQUE (purchase_order_id, revision_number))`);
    // Only the lines a revision changed: confirmed units and promised time before (null: none yet) and after.
    this.addSql(`CREATE TABLE procurement.purchase_order_revision_line (
      revision_id text NOT NULL REFERENCES procurement.purchase_order_revision (revision_id),
      sku text NOT NULL,
      old_confirmed_quantity int,
      new_confirmed_quantity int NOT NULL CHECK (new_confirmed_quantity >= 0),
      old_promised_time timestamptz,
      new_promised_time timestamptz,
      PRIMARY KEY (revision_id, sku))`);
  }
}
