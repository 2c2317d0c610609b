import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail of deleted supplier products (who, when, why, the product as it was), and an index for
 * listing POs in some statuses newest first. The PO number search scans in creation order with the other
 * filters (a substring match could only use a trigram index, which needs the pg_trgm extension).
 */
export class Migration20261202400000_listings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE procurement.supplier_product_deletion (
      id bigserial PRIMARY KEY,
      supplier_id text NOT NULL,
      sku text NOT NULL,
      deleted_by text NOT NULL,
      reason text NOT NULL,
      product jsonb NOT NULL,
      delete_time timestamptz NOT NULL)`);
    this.addSql('CREATE INDEX supplier_product_deletion_by_supplier ON procurement.supplier_product_deletion (supplier_id, sku, id DESC)');
    this.addSql('CREATE INDEX purchase_order_by_status ON procurement.purchase_order (status, create_time DESC, purchase_order_id DESC)');
  }
}
