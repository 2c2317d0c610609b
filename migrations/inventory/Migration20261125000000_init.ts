import { Migration } from '@mikro-orm/migrations';
import { platformTablesSql } from '../../src/platform/tables';

/** Products, stock levels (no oversell by CHECK), reservations per order line and the stock ledger. */
export class Migration20261125000000_init extends Migration {
  override async up(): Promise<void> {
    for (const statement of platformTablesSql('inventory')) this.addSql(statement);
    this.addSql(`CREATE TABLE inventory.product (
      sku text PRIMARY KEY,
      name text NOT NULL,
      unit_price_currency text NOT NULL,
      unit_price_units bigint NOT NULL,
      unit_price_nanos int NOT NULL,
      accept_backorders boolean NOT NULL,
      max_backorder_quantity_per_customer int NOT NULL CHECK (max_backorder_quantity_per_customer >= 0),
      discontinued boolean NOT NULL,
      create_time timestamptz NOT NULL DEFAULT now(),
      update_time timestamptz NOT NULL DEFAULT now())`);
    this.addSql(`CREATE TABLE inventory.stock (
      sku text PRIMARY KEY REFERENCES inventory.product (sku),
      on_hand int NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
      reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
      CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand))`);
    this.addSql(`CREATE TABLE inventory.reservation (
      line_id text PRIMARY KEY,
      sku text NOT NULL REFERENCES inventory.stock (sku),
      reserved int NOT NULL CHECK (reserved >= 0),
      shipped int NOT NULL DEFAULT 0 CHECK (shipped >= 0),
      create_time timestamptz NOT NULL DEFAULT now(),
      update_time timestamptz NOT NULL DEFAULT now())`);
    this.addSql(`CREATE TABLE inventory.stock_movement (
      id bigserial PRIMARY KEY,
      sku text NOT NULL REFERENCES inventory.stock (sku),
      kind text NOT NULL CHECK (kind IN ('ADJUSTMENT', 'RECEIPT', 'RESERVATION', 'RELEASE', 'SHIPMENT')),
      on_hand_delta int NOT NULL,
      reserved_delta int NOT NULL,
      reason text NOT NULL,
      reference text NOT NULL,
      create_time timestamptz NOT NULL DEFAULT now())`);
    this.addSql('CREATE INDEX stock_movement_by_sku ON inventory.stock_movement (sku, id DESC)');
  }
}
