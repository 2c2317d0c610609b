import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Orm } from '../platform/orm';
import type { Handlers } from '../platform/rpc';
import { Validator } from '../platform/validation';
import { getSupplierScorecard } from './scorecard';

/** The supplier scorecard's handler: validate, call the domain function; its shape is the proto's. */
export function scorecardHandlers(orm: Orm): Handlers<typeof ProcurementServiceDefinition> {
  return {
    async getSupplierScorecard({ supplierId }) {
      new Validator().id('supplier_id', supplierId).done();
      return { scorecard: await getSupplierScorecard(orm, supplierId) };
    },
  };
}
