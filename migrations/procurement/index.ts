import { Migration20261125000000_init } from './Migration20261125000000_init';
import { Migration20261125100000_buffers } from './Migration20261125100000_buffers';
import { Migration20261125110000_release_hot_path } from './Migration20261125110000_release_hot_path';
import { Migration20261127000000_outbox_lease } from './Migration20261127000000_outbox_lease';
import { Migration20261201000000_released_by } from './Migration20261201000000_released_by';
import { Migration20261202100000_outbox_traceparent } from './Migration20261202100000_outbox_traceparent';
import { Migration20261202200000_outbox_audit } from './Migration20261202200000_outbox_audit';
import { Migration20261202300000_planning } from './Migration20261202300000_planning';
import { Migration20261202400000_listings } from './Migration20261202400000_listings';
import { Migration20261202500000_release_reason } from './Migration20261202500000_release_reason';
import { Migration20261203000000_supplier_links } from './Migration20261203000000_supplier_links';
import { Migration20261203300000_alternates } from './Migration20261203300000_alternates';
import { Migration20261203310000_first_confirmation } from './Migration20261203310000_first_confirmation';
import { Migration20261203600000_revisions } from './Migration20261203600000_revisions';
import { Migration20261203700000_purchase_order_emails } from './Migration20261203700000_purchase_order_emails';

/** Every migration of this schema, in order. */
export const migrations = [
  { name: 'Migration20261125000000_init', class: Migration20261125000000_init },
  { name: 'Migration20261125100000_buffers', class: Migration20261125100000_buffers },
  { name: 'Migration20261125110000_release_hot_path', class: Migration20261125110000_release_hot_path },
  { name: 'Migration20261127000000_outbox_lease', class: Migration20261127000000_outbox_lease },
  { name: 'Migration20261201000000_released_by', class: Migration20261201000000_released_by },
  { name: 'Migration20261202100000_outbox_traceparent', class: Migration20261202100000_outbox_traceparent },
  { name: 'Migration20261202200000_outbox_audit', class: Migration20261202200000_outbox_audit },
  { name: 'Migration20261202300000_planning', class: Migration20261202300000_planning },
  { name: 'Migration20261202400000_listings', class: Migration20261202400000_listings },
  { name: 'Migration20261202500000_release_reason', class: Migration20261202500000_release_reason },
  { name: 'Migration20261203000000_supplier_links', class: Migration20261203000000_supplier_links },
  { name: 'Migration20261203300000_alternates', class: Migration20261203300000_alternates },
  { name: 'Migration20261203310000_first_confirmation', class: Migration20261203310000_first_confirmation },
  { name: 'Migration20261203600000_revisions', class: Migration20261203600000_revisions },
  { name: 'Migration20261203700000_purchase_order_emails', class: Migration20261203700000_purchase_order_emails },
];
