import { Migration } from '@mikro-orm/migrations';

/** Who cancelled: the subject of the caller's token. */
export class Migration20261201000000_cancelled_by extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE orders.cancellation ADD COLUMN cancelled_by text');
  }
}
