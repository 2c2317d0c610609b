import { Migration20261125000000_init } from './Migration20261125000000_init';
import { Migration20261125100000_orders } from './Migration20261125100000_orders';

/** Every migration of this schema, in order. */
export const migrations = [
  { name: 'Migration20261125000000_init', class: Migration20261125000000_init },
  { name: 'Migration20261125100000_orders', class: Migration20261125100000_orders },
];
