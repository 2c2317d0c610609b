import { Migration } from '@mikro-orm/migrations';

/**
 * Alternate suppliers of a SKU (supplier_product.alternate_rank: 1, 2, ... first; 0 = after the ranked ones) and
 * who declined which demand: quantity a supplier declines on its PO becomes demand of the next supplier of the
 * SKU that has not declined that demand. One row per (demand, declining supplier, PO); a later decline on the
 * same PO adds to it.
 */
export class Migration20261203300000_alternates extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.supplier_product ADD COLUMN alternate_rank int NOT NULL DEFAULT 0 CHECK (alternate_rank BETWEEN 0 AND 1000)');
    this.addSql(`CREATE TABLE procurement.demand_decline (
      demand_id text NOT NULL,
      supplier_id text NOT NULL,
      purchase_order_id text NOT NULL,
      sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      decline_time timestamptz NOT NULL,
      PRIMARY KEY (demand_id, supplier_id, purchase_order_id))`);
  }
}
