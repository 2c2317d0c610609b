import { Migration } from '@mikro-orm/migrations';

/** Who made a manual stock change: the subject of the caller's token. */
export class Migration20261201000000_movement_recorded_by extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE inventory.stock_movement ADD COLUMN recorded_by text');
  }
}
