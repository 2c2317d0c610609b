import { Migration } from '@mikro-orm/migrations';

/** Write-offs are a kind of stock movement of their own (damaged or lost units, free or held for order lines). */
export class Migration20261203810000_write_off_movements extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE inventory.stock_movement DROP CONSTRAINT stock_movement_kind_check');
    this.addSql(`ALTER TABLE inventory.stock_movement ADD CONSTRAINT stock_movement_kind_check
      CHECK (kind IN ('ADJUSTMENT', 'RECEIPT', 'RESERVATION', 'RELEASE', 'SHIPMENT', 'WRITE_OFF'))`);
  }
}
