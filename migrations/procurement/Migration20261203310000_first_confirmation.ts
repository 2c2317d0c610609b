import { Migration } from '@mikro-orm/migrations';

/** When the supplier first confirmed a PO (the scorecard's time to confirm); null until then and for older POs. */
export class Migration20261203310000_first_confirmation extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.purchase_order ADD COLUMN first_confirm_time timestamptz');
  }
}
