import { Migration } from '@mikro-orm/migrations';

/**
 * Where each allocated unit is held in Inventory: under the line's own reservation (reserved at placement)
 * or under its allocation batch's one reservation, so a batch reserves all its lines in one request.
 */
export class Migration20261125190000_reservation_holders extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE orders.order_line ADD COLUMN held_own int NOT NULL DEFAULT 0 CHECK (held_own >= 0)');
    this.addSql('ALTER TABLE orders.allocation ADD COLUMN held int NOT NULL DEFAULT 0 CHECK (held >= 0)');
    this.addSql('CREATE INDEX allocation_held_by_line ON orders.allocation (line_id, allocation_id) WHERE held > 0');
    // Allocation rows are only ever written from the queue they reference, thousands per receipt: the
    // per-row foreign-key triggers cost more than they protect (measured by bench/apply-receipt.ts).
    this.addSql('ALTER TABLE orders.allocation DROP CONSTRAINT allocation_batch_id_fkey, DROP CONSTRAINT allocation_line_id_fkey');
  }
}
