import { Migration20261125000000_init } from './Migration20261125000000_init';
import { Migration20261125100000_orders } from './Migration20261125100000_orders';
import { Migration20261125190000_reservation_holders } from './Migration20261125190000_reservation_holders';
import { Migration20261127000000_outbox_lease } from './Migration20261127000000_outbox_lease';
import { Migration20261128000000_unguessable_order_ids } from './Migration20261128000000_unguessable_order_ids';
import { Migration20261201000000_cancelled_by } from './Migration20261201000000_cancelled_by';
import { Migration20261202100000_outbox_traceparent } from './Migration20261202100000_outbox_traceparent';
import { Migration20261202200000_outbox_audit } from './Migration20261202200000_outbox_audit';
import { Migration20261202400000_backorder_listings } from './Migration20261202400000_backorder_listings';
import { Migration20261203000000_customer_links } from './Migration20261203000000_customer_links';
import { Migration20261203400000_warehouse_view } from './Migration20261203400000_warehouse_view';
import { Migration20261203410000_order_events } from './Migration20261203410000_order_events';
import { Migration20261203500000_customer_emails } from './Migration20261203500000_customer_emails';
import { Migration20261203800000_write_offs } from './Migration20261203800000_write_offs';

/** Every migration of this schema, in order. */
export const migrations = [
  { name: 'Migration20261125000000_init', class: Migration20261125000000_init },
  { name: 'Migration20261125100000_orders', class: Migration20261125100000_orders },
  { name: 'Migration20261125190000_reservation_holders', class: Migration20261125190000_reservation_holders },
  { name: 'Migration20261127000000_outbox_lease', class: Migration20261127000000_outbox_lease },
  { name: 'Migration20261128000000_unguessable_order_ids', class: Migration20261128000000_unguessable_order_ids },
  { name: 'Migration20261201000000_cancelled_by', class: Migration20261201000000_cancelled_by },
  { name: 'Migration20261202100000_outbox_traceparent', class: Migration20261202100000_outbox_traceparent },
  { name: 'Migration20261202200000_outbox_audit', class: Migration20261202200000_outbox_audit },
  { name: 'Migration20261202400000_backorder_listings', class: Migration20261202400000_backorder_listings },
  { name: 'Migration20261203000000_customer_links', class: Migration20261203000000_customer_links },
  { name: 'Migration20261203400000_warehouse_view', class: Migration20261203400000_warehouse_view },
  { name: 'Migration20261203410000_order_events', class: Migration20261203410000_order_events },
  { name: 'Migration20261203500000_customer_emails', class: Migration20261203500000_customer_emails },
  { name: 'Migration20261203800000_write_offs', class: Migration20261203800000_write_offs },
];
