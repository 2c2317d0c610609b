import { Migration } from '@mikro-orm/migrations';

/** Which issue of a PO's supplier link is current: issuing a new link increments it, revoking the earlier ones. */
export class Migration20261203000000_supplier_links extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.purchase_order ADD COLUMN link_generation integer NOT NULL DEFAULT 1 CHECK (link_generation >= 1)');
  }
}
