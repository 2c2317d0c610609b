import { Migration } from '@mikro-orm/migrations';

/**
 * For the planner's tools. Cancellations of demand are kept with their time (SimulatePolicy replays them):
 * each CancelDemand request as asked (requested_quantity, 0 = all still buffered) and what it took out of the
 * buffer; cancellations made before this migration have no time and are not replayed. Demand is found by SKU
 * and arrival time for the replay window. The index of buffered demand by supplier and SKU also carries the
 * units and demand time, so ListBuffers sums a page's lines from the index alone.
 */
export class Migration20261202300000_planning extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE procurement.demand_cancellation (
      id bigserial PRIMARY KEY,
      demand_id text NOT NULL,
      requested_quantity int NOT NULL CHECK (requested_quantity >= 0),
      cancelled_quantity int NOT NULL CHECK (cancelled_quantity >= 0),
      cancel_time timestamptz NOT NULL)`);
    this.addSql('CREATE INDEX demand_cancellation_by_demand ON procurement.demand_cancellation (demand_id, cancel_time)');
    this.addSql('CREATE INDEX demand_by_sku_time ON procurement.demand (sku, demand_time)');
    this.addSql('CREATE INDEX buffered_demand_by_supplier_sku ON procurement.buffered_demand (supplier_id, sku) INCLUDE (quantity, demand_time)');
    this.addSql('DROP INDEX procurement.buffered_demand_by_supplier');
  }
}
