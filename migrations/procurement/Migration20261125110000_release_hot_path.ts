import { Migration } from '@mikro-orm/migrations';

/**
 * Drops the foreign keys of purchase_order_demand: a release writes one row per demand (100,000 in the
 * benchmark) and each foreign key is a per-row trigger that locks the referenced row, which made a release
 * of 1,000 POs take seconds. The rows are only ever written in the transaction that creates their PO from
 * buffered demand (itself tied to procurement.demand), so the references hold by construction.
 */
export class Migration20261125110000_release_hot_path extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.purchase_order_demand DROP CONSTRAINT purchase_order_demand_demand_id_fkey');
    this.addSql('ALTER TABLE procurement.purchase_order_demand DROP CONSTRAINT purchase_order_demand_purchase_order_id_fkey');
  }
}
