import { Migration } from '@mikro-orm/migrations';

/**
 * New order ids come from PlaceOrder (`ord-` and a UUIDv7) instead of a counting sequence. Orders already
 * written keep their `ord-000000000001` style ids; nothing may fall back to counting, so the default goes.
 */
export class Migration20261128000000_unguessable_order_ids extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE orders.customer_order ALTER COLUMN order_id DROP DEFAULT');
    this.addSql('DROP SEQUENCE orders.order_number');
  }
}
