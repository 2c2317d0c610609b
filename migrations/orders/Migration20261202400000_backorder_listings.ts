import { Migration } from '@mikro-orm/migrations';

/**
 * Backorder KPIs over a time window (lines by the time their order was placed) and of some SKUs (one SKU,
 * or a supplier's): without these, each figure read every order line ever placed.
 */
export class Migration20261202400000_backorder_listings extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX order_line_by_queue_time ON orders.order_line (queue_time)');
    this.addSql('CREATE INDEX order_line_by_sku ON orders.order_line (sku, queue_time)');
  }
}
