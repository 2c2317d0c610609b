import { Migration } from '@mikro-orm/migrations';

/**
 * ListProducts pages through products in SKU byte order, from a SKU prefix on: one index in that order (the
 * primary key's follows the database collation, where a prefix is not one range).
 */
export class Migration20261202400000_product_listing extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX product_by_sku_bytes ON inventory.product ((sku COLLATE "C"))');
  }
}
