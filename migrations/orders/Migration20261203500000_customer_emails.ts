import { Migration } from '@mikro-orm/migrations';

/**
 * The product's name as it was ordered (customer emails name products without asking Inventory again),
 * and when the customer last got good ETA news (at most one such email per order per day).
 */
export class Migration20261203500000_customer_emails extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders.order_line ADD COLUMN product_name text NOT NULL DEFAULT ''`);
    this.addSql('ALTER TABLE orders.customer_order ADD COLUMN eta_news_time timestamptz');
  }
}
