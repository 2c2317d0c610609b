import { Migration20261125000000_init } from './Migration20261125000000_init';
import { Migration20261127000000_outbox_lease } from './Migration20261127000000_outbox_lease';
import { Migration20261201000000_movement_recorded_by } from './Migration20261201000000_movement_recorded_by';
import { Migration20261202100000_outbox_traceparent } from './Migration20261202100000_outbox_traceparent';
import { Migration20261202200000_outbox_audit } from './Migration20261202200000_outbox_audit';
import { Migration20261202400000_product_listing } from './Migration20261202400000_product_listing';
import { Migration20261203800000_product_backorder_total } from './Migration20261203800000_product_backorder_total';
import { Migration20261203810000_write_off_movements } from './Migration20261203810000_write_off_movements';

/** Every migration of this schema, in order. */
export const migrations = [
  { name: 'Migration20261125000000_init', class: Migration20261125000000_init },
  { name: 'Migration20261127000000_outbox_lease', class: Migration20261127000000_outbox_lease },
  { name: 'Migration20261201000000_movement_recorded_by', class: Migration20261201000000_movement_recorded_by },
  { name: 'Migration20261202100000_outbox_traceparent', class: Migration20261202100000_outbox_traceparent },
  { name: 'Migration20261202200000_outbox_audit', class: Migration20261202200000_outbox_audit },
  { name: 'Migration20261202400000_product_listing', class: Migration20261202400000_product_listing },
  { name: 'Migration20261203800000_product_backorder_total', class: Migration20261203800000_product_backorder_total },
  { name: 'Migration20261203810000_write_off_movements', class: Migration20261203810000_write_off_movements },
];
