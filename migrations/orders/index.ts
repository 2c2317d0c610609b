import { Migration20261125000000_init } from './Migration20261125000000_init';

/** Every migration of this schema, in order. */
export const migrations = [{ name: 'Migration20261125000000_init', class: Migration20261125000000_init }];
