import { Migration } from '@mikro-orm/migrations';

/** A cap per product on the units that may wait at once, across customers (0 = no cap). */
export class Migration20261203800000_product_backorder_total extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE inventory.product ADD COLUMN max_backorder_quantity_total int NOT NULL DEFAULT 0 CHECK (max_backorder_quantity_total >= 0)');
  }
}
