import { Migration } from '@mikro-orm/migrations';

/**
 * Write-offs of allocated units: the request (once per request id), the Inventory reservations that give up
 * units (holders), and the lines that lost units and wait again. taken: the lines changed, Inventory not yet
 * told; applied: done; refused: Inventory refused, the holders' units released back to the queue.
 */
export class Migration20261203800000_write_offs extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE orders.write_off (
      request_id text PRIMARY KEY,
      request_hash text NOT NULL,
      sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      free_quantity int NOT NULL CHECK (free_quantity >= 0 AND free_quantity <= quantity),
      reason text NOT NULL,
      recorded_by text NOT NULL,
      holders jsonb NOT NULL,
      state text NOT NULL CHECK (state IN ('taken', 'applied', 'refused')),
      refusal jsonb,
      create_time timestamptz NOT NULL)`);
    this.addSql(`CREATE INDEX write_off_taken ON orders.write_off (sku) WHERE state = 'taken'`);
    this.addSql(`CREATE TABLE orders.write_off_line (
      request_id text NOT NULL REFERENCES orders.write_off,
      line_id text NOT NULL REFERENCES orders.order_line,
      order_id text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      position int NOT NULL,
      PRIMARY KEY (request_id, line_id))`);
  }
}
