import { migrations } from '../../migrations/procurement';
import { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { ServiceModule } from '../platform/service-module';

/** Procurement: supplier buffers and purchase orders (RPCs answer UNIMPLEMENTED until built). */
export const procurementModule: ServiceModule<typeof ProcurementServiceDefinition> = {
  name: 'procurement',
  schema: { schema: 'procurement', entities: [], migrations },
  descriptor: ProcurementServiceDefinition,
  create: () => ({ handlers: {}, deliveries: {}, tasks: [] }),
};
