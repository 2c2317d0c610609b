import { Migration } from '@mikro-orm/migrations';
import { platformTablesSql } from '../../src/platform/tables';

/** The procurement schema with the tables every service has (idempotency keys, outbox, scheduler ticks). */
export class Migration20261125000000_init extends Migration {
  override async up(): Promise<void> {
    for (const statement of platformTablesSql('procurement')) this.addSql(statement);
  }
}
