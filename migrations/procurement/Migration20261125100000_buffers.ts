import { Migration } from '@mikro-orm/migrations';

/** Suppliers and their catalog, buffered demand, purchase orders, receipts and lead-time observations. */
export class Migration20261125100000_buffers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE procurement.supplier (
      supplier_id text PRIMARY KEY,
      name text NOT NULL,
      email text NOT NULL,
      time_zone text NOT NULL,
      quoted_lead_time_days int NOT NULL CHECK (quoted_lead_time_days >= 0),
      currency_code text NOT NULL,
      min_quantity int NOT NULL DEFAULT 0 CHECK (min_quantity >= 0),
      min_value numeric(20, 9) NOT NULL DEFAULT 0 CHECK (min_value >= 0),
      release_schedule text NOT NULL DEFAULT '0 10 * * 1',
      max_wait_days int NOT NULL DEFAULT 0 CHECK (max_wait_days >= 0),
      paused boolean NOT NULL DEFAULT false,
      next_release_time timestamptz NOT NULL,
      create_time timestamptz NOT NULL DEFAULT now(),
      update_time timestamptz NOT NULL DEFAULT now())`);
    this.addSql(`CREATE TABLE procurement.policy_change (
      id bigserial PRIMARY KEY,
      supplier_id text NOT NULL REFERENCES procurement.supplier (supplier_id),
      updated_by text NOT NULL,
      reason text NOT NULL,
      old_policy jsonb NOT NULL,
      new_policy jsonb NOT NULL,
      change_time timestamptz NOT NULL)`);
    this.addSql('CREATE INDEX policy_change_by_supplier ON procurement.policy_change (supplier_id, id DESC)');
    this.addSql(`CREATE TABLE procurement.supplier_product (
      supplier_id text NOT NULL REFERENCES procurement.supplier (supplier_id),
      sku text NOT NULL,
      supplier_sku text NOT NULL,
      unit_cost numeric(20, 9) NOT NULL CHECK (unit_cost >= 0),
      pack_size int NOT NULL CHECK (pack_size >= 1),
      min_order_quantity int NOT NULL CHECK (min_order_quantity >= 0),
      preferred boolean NOT NULL DEFAULT false,
      create_time timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (supplier_id, sku))`);
    this.addSql('CREATE INDEX supplier_product_by_sku ON procurement.supplier_product (sku)');
    this.addSql('CREATE UNIQUE INDEX supplier_product_one_preferred ON procurement.supplier_product (sku) WHERE preferred');
    this.addSql(`CREATE TABLE procurement.demand (
      demand_id text PRIMARY KEY,
      sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      cancelled_quantity int NOT NULL DEFAULT 0 CHECK (cancelled_quantity >= 0 AND cancelled_quantity <= quantity),
      demand_time timestamptz NOT NULL)`);
    // Only the still-buffered part of a demand; supplier_id NULL = no supplier sells the SKU yet.
    this.addSql(`CREATE TABLE procurement.buffered_demand (
      demand_id text PRIMARY KEY REFERENCES procurement.demand (demand_id),
      sku text NOT NULL,
      supplier_id text,
      quantity int NOT NULL CHECK (quantity > 0),
      demand_time timestamptz NOT NULL)`);
    this.addSql('CREATE INDEX buffered_demand_by_supplier ON procurement.buffered_demand (supplier_id, sku)');
    this.addSql('CREATE INDEX buffered_demand_by_sku ON procurement.buffered_demand (sku)');
    this.addSql('CREATE SEQUENCE procurement.purchase_order_number');
    this.addSql(`CREATE TABLE procurement.purchase_order (
      purchase_order_id text PRIMARY KEY,
      number text NOT NULL UNIQUE,
      supplier_id text NOT NULL REFERENCES procurement.supplier (supplier_id),
      status text NOT NULL CHECK (status IN ('ISSUED', 'SENT', 'CONFIRMED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')),
      trigger text NOT NULL CHECK (trigger IN ('MIN_QUANTITY', 'MIN_VALUE', 'SCHEDULE', 'MAX_WAIT', 'MANUAL')),
      currency_code text NOT NULL,
      create_time timestamptz NOT NULL,
      requested_delivery_time timestamptz NOT NULL,
      send_time timestamptz,
      promised_time timestamptz,
      cancel_reason text NOT NULL DEFAULT '',
      update_time timestamptz NOT NULL DEFAULT now())`);
    this.addSql('CREATE INDEX purchase_order_by_supplier ON procurement.purchase_order (supplier_id, create_time DESC, purchase_order_id DESC)');
    this.addSql('CREATE INDEX purchase_order_by_time ON procurement.purchase_order (create_time DESC, purchase_order_id DESC)');
    this.addSql(`CREATE TABLE procurement.purchase_order_line (
      purchase_order_id text NOT NULL REFERENCES procurement.purchase_order (purchase_order_id),
      sku text NOT NULL,
      supplier_sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      demanded_quantity int NOT NULL CHECK (demanded_quantity >= 0),
      confirmed_quantity int CHECK (confirmed_quantity >= 0),
      received_quantity int NOT NULL DEFAULT 0 CHECK (received_quantity >= 0),
      unit_cost numeric(20, 9) NOT NULL,
      PRIMARY KEY (purchase_order_id, sku))`);
    this.addSql('CREATE INDEX purchase_order_line_by_sku ON procurement.purchase_order_line (sku)');
    // Which demand a PO carries: every backordered unit is buffered, on exactly one PO, or cancelled.
    this.addSql(`CREATE TABLE procurement.purchase_order_demand (
      purchase_order_id text NOT NULL REFERENCES procurement.purchase_order (purchase_order_id),
      demand_id text NOT NULL REFERENCES procurement.demand (demand_id),
      sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      demand_time timestamptz NOT NULL,
      PRIMARY KEY (purchase_order_id, demand_id))`);
    this.addSql('CREATE INDEX purchase_order_demand_by_demand ON procurement.purchase_order_demand (demand_id)');
    this.addSql(`CREATE TABLE procurement.lead_time_observation (
      id bigserial PRIMARY KEY,
      supplier_id text NOT NULL REFERENCES procurement.supplier (supplier_id),
      sku text NOT NULL,
      purchase_order_id text NOT NULL,
      receipt_id text NOT NULL,
      days float8 NOT NULL,
      observe_time timestamptz NOT NULL)`);
    this.addSql('CREATE INDEX lead_time_observation_by_supplier ON procurement.lead_time_observation (supplier_id, sku)');
  }
}
