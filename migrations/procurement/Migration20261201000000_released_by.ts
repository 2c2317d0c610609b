import { Migration } from '@mikro-orm/migrations';

/** Who asked for a manual release (EvaluateBuffers): the subject of the caller's token; unset for automatic releases. */
export class Migration20261201000000_released_by extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.purchase_order ADD COLUMN released_by text');
  }
}
