import { Migration } from '@mikro-orm/migrations';

/** Orders, their lines (the backorder queue), allocations, cancellations and shipments. */
export class Migration20261125100000_orders extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE SEQUENCE orders.order_number');
    this.addSql(`CREATE TABLE orders.customer_order (
      order_id text PRIMARY KEY DEFAULT 'ord-' || lpad(nextval('orders.order_number')::text, 12, '0'),
      request_id text NOT NULL UNIQUE,
      request_hash text NOT NULL,
      customer_id text NOT NULL,
      customer_email text NOT NULL,
      priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 3),
      fulfillment_policy smallint NOT NULL CHECK (fulfillment_policy IN (1, 2)),
      -- pending: written, Inventory not yet asked; refused: being compensated; placed: final.
      placement text NOT NULL DEFAULT 'pending' CHECK (placement IN ('pending', 'refused', 'placed')),
      cancel_reason text NOT NULL DEFAULT '',
      create_time timestamptz NOT NULL)`);
    this.addSql(`CREATE INDEX customer_order_by_customer ON orders.customer_order (customer_id, create_time DESC, order_id DESC) WHERE placement = 'placed'`);
    this.addSql(`CREATE INDEX customer_order_pending ON orders.customer_order (create_time) WHERE placement <> 'placed'`);
    this.addSql(`CREATE TABLE orders.order_line (
      line_id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders.customer_order ON DELETE CASCADE,
      line_number int NOT NULL,
      sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      to_reserve int NOT NULL CHECK (to_reserve >= 0),
      allocated int NOT NULL DEFAULT 0 CHECK (allocated >= 0),
      backordered int NOT NULL DEFAULT 0 CHECK (backordered >= 0),
      shipped int NOT NULL DEFAULT 0 CHECK (shipped >= 0),
      cancelled int NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
      initially_backordered int NOT NULL DEFAULT 0,
      cancelled_waiting int NOT NULL DEFAULT 0,
      pending boolean NOT NULL DEFAULT true,
      priority smallint NOT NULL,
      queue_time timestamptz NOT NULL,
      customer_id text NOT NULL,
      unit_price numeric,
      currency_code text,
      fill_time timestamptz,
      eta_expected timestamptz,
      eta_latest timestamptz,
      eta_source smallint,
      eta_purchase_order_id text,
      eta_notified timestamptz,
      CONSTRAINT order_line_units_add_up CHECK (pending OR allocated + backordered + shipped + cancelled = quantity))`);
    this.addSql('CREATE INDEX order_line_by_order ON orders.order_line (order_id, line_number)');
    this.addSql('CREATE INDEX backorder_queue ON orders.order_line (sku, priority DESC, queue_time, line_id) WHERE backordered > 0');
    this.addSql('CREATE INDEX order_line_pending ON orders.order_line (sku) WHERE pending');
    this.addSql('CREATE INDEX backorder_by_customer ON orders.order_line (customer_id, sku) WHERE backordered > 0');
    this.addSql(`CREATE TABLE orders.allocation_batch (
      batch_id text PRIMARY KEY,
      sku text NOT NULL,
      request_hash text,
      receipt_quantity int NOT NULL DEFAULT 0,
      state text NOT NULL CHECK (state IN ('planned', 'applied')),
      create_time timestamptz NOT NULL DEFAULT now())`);
    this.addSql(`CREATE INDEX allocation_batch_planned ON orders.allocation_batch (create_time) WHERE state = 'planned'`);
    this.addSql(`CREATE TABLE orders.allocation (
      allocation_id bigserial PRIMARY KEY,
      batch_id text NOT NULL REFERENCES orders.allocation_batch,
      line_id text NOT NULL REFERENCES orders.order_line,
      order_id text NOT NULL,
      planned int NOT NULL CHECK (planned > 0),
      quantity int)`);
    this.addSql('CREATE INDEX allocation_by_batch ON orders.allocation (batch_id, allocation_id)');
    this.addSql(`CREATE TABLE orders.cancellation (
      cancellation_id bigserial PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders.customer_order,
      line_id text NOT NULL REFERENCES orders.order_line,
      waiting int NOT NULL,
      allocated int NOT NULL,
      reason text NOT NULL,
      create_time timestamptz NOT NULL)`);
    this.addSql(`CREATE TABLE orders.shipment (
      shipment_id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders.customer_order,
      request_hash text NOT NULL,
      carrier text NOT NULL,
      tracking_number text NOT NULL,
      create_time timestamptz NOT NULL)`);
    this.addSql(`CREATE TABLE orders.shipment_line (
      shipment_id text NOT NULL REFERENCES orders.shipment,
      line_id text NOT NULL REFERENCES orders.order_line,
      quantity int NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (shipment_id, line_id))`);
  }
}
