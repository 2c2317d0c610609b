import { Migration } from '@mikro-orm/migrations';
import { outboxLeaseSql } from '../../src/platform/tables';

/** Outbox messages are leased while delivered, not row-locked. */
export class Migration20261127000000_outbox_lease extends Migration {
  override async up(): Promise<void> {
    for (const statement of outboxLeaseSql('procurement')) this.addSql(statement);
  }
}
