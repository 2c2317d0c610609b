import { Migration } from '@mikro-orm/migrations';

/** Why a PO was released by hand (EvaluateBuffers' reason); null for automatic releases and older manual ones. */
export class Migration20261202500000_release_reason extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.purchase_order ADD COLUMN release_reason text');
  }
}
