import { Migration } from '@mikro-orm/migrations';

/**
 * The warehouse's view: every customer's orders newest first, and the orders with units to ship now. Both
 * indexes are partial so that PlaceOrder pays little for them: an order enters the first once, when placed
 * (a pending order is in neither), and a line enters the second only while it holds allocated units.
 * Shipments keep the carrier's estimated delivery time.
 */
export class Migration20261203400000_warehouse_view extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX customer_order_placed_by_time ON orders.customer_order (create_time DESC, order_id DESC) WHERE placement = 'placed'`);
    this.addSql('CREATE INDEX order_line_allocated_by_time ON orders.order_line (queue_time DESC, order_id DESC) WHERE allocated > 0');
    this.addSql('ALTER TABLE orders.shipment ADD COLUMN estimated_delivery_time timestamptz');
    this.addSql('CREATE INDEX shipment_by_order ON orders.shipment (order_id, create_time)');
  }
}
