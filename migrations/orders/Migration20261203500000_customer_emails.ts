import { Migration } from '@mikro-orm/migrations';

/** The product's name as it was ordered: customer emails name products without asking Inventory again. */
export class Migration20261203500000_customer_emails extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders.order_line ADD COLUMN product_name text NOT NULL DEFAULT ''`);
  }
}
