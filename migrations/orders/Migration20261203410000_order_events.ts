import { Migration } from '@mikro-orm/migrations';

/**
 * Order events for WatchOrderEvents, written in the transaction of the change they record. Their order is
 * (xid, event_id): the writing transaction's id, then the sequence. A reader only reads events of
 * transactions older than every transaction still running (pg_snapshot_xmin), so an event can never commit
 * behind a cursor a reader already passed, which a sequence alone cannot promise (sequence values are taken
 * before commit, in another order than commits). The primary key is the reading order: one index per event.
 */
export class Migration20261203410000_order_events extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE SEQUENCE orders.order_event_number');
    this.addSql(`CREATE TABLE orders.order_event (
      xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      event_id bigint NOT NULL DEFAULT nextval('orders.order_event_number'),
      order_id text NOT NULL,
      type smallint NOT NULL CHECK (type BETWEEN 1 AND 4),
      event_time timestamptz NOT NULL,
      shipment_id text NOT NULL DEFAULT '',
      line_id text NOT NULL DEFAULT '',
      eta_expected timestamptz,
      eta_latest timestamptz,
      eta_source smallint,
      eta_purchase_order_id text,
      PRIMARY KEY (xid, event_id))`);
    this.addSql(`CREATE TABLE orders.order_change (
      change_id bigserial PRIMARY KEY,
      order_id text NOT NULL REFERENCES orders.customer_order,
      changed_by text NOT NULL,
      reason text NOT NULL,
      before jsonb NOT NULL,
      after jsonb NOT NULL,
      create_time timestamptz NOT NULL)`);
    this.addSql('CREATE INDEX order_change_by_order ON orders.order_change (order_id, change_id)');
  }
}
