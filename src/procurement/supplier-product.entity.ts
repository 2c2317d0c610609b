import { EntitySchema } from '@mikro-orm/core';

/**
 * SupplierProductEntity is a row of procurement.supplier_product: what a supplier sells us for one SKU. Its
 * create_time is left to the database (clock_timestamp()), so a replaced product keeps its first one.
 */
export interface SupplierProductEntity {
  supplierId: string;
  sku: string;
  supplierSku: string;
  /** Exact decimal text in the supplier's currency. */
  unitCost: string;
  packSize: number;
  minOrderQuantity: number;
  preferred: boolean;
}

export const SupplierProductSchema = new EntitySchema<SupplierProductEntity>({
  name: 'SupplierProduct',
  tableName: 'supplier_product',
  properties: {
    supplierId: { type: 'string', primary: true },
    sku: { type: 'string', primary: true },
    supplierSku: { type: 'string' },
    unitCost: { type: 'decimal', precision: 20, scale: 9 },
    packSize: { type: 'integer' },
    minOrderQuantity: { type: 'integer' },
    preferred: { type: 'boolean' },
  },
});
