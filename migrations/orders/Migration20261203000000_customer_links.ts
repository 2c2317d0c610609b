import { Migration } from '@mikro-orm/migrations';

/** Which issue of an order's customer link is current: issuing a new link increments it, revoking the earlier ones. */
export class Migration20261203000000_customer_links extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE orders.customer_order ADD COLUMN link_generation integer NOT NULL DEFAULT 1 CHECK (link_generation >= 1)');
  }
}
