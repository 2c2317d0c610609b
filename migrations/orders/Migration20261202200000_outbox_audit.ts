import { Migration } from '@mikro-orm/migrations';
import { outboxAuditSql } from '../../src/platform/dead-letters.repository';

/** Dead messages can be listed (with the time they died), retried or discarded, each action audited. */
export class Migration20261202200000_outbox_audit extends Migration {
  override async up(): Promise<void> {
    for (const statement of outboxAuditSql('orders')) this.addSql(statement);
  }
}
