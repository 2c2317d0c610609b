import { EntitySchema } from '@mikro-orm/core';
import type { SupplierProduct } from './catalog';

/**
 * A row of procurement.supplier_product is the domain SupplierProduct (unit cost as exact decimal text). Its
 * create_time is left to the database (clock_timestamp()), so a replaced product keeps its first one.
 */
export const SupplierProductSchema = new EntitySchema<SupplierProduct>({
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
    alternateRank: { type: 'integer' },
  },
});
