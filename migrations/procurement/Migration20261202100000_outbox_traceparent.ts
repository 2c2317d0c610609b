import { Migration } from '@mikro-orm/migrations';

/** Each outbox message keeps the W3C trace context it was written in, so that its delivery continues that trace. */
export class Migration20261202100000_outbox_traceparent extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE procurement.outbox ADD COLUMN traceparent text');
  }
}
