import { BigIntType, EntitySchema } from '@mikro-orm/core';

/** ProductEntity is a row of inventory.product. */
export interface ProductEntity {
  sku: string;
  name: string;
  unitPriceCurrency: string;
  unitPriceUnits: number;
  unitPriceNanos: number;
  acceptBackorders: boolean;
  maxBackorderQuantityPerCustomer: number;
  /** Units that may wait at once across customers; 0 = no cap. */
  maxBackorderQuantityTotal: number;
  discontinued: boolean;
  createTime: Date;
  updateTime: Date;
}

export const ProductSchema = new EntitySchema<ProductEntity>({
  name: 'Product',
  tableName: 'product',
  properties: {
    sku: { type: 'string', primary: true },
    name: { type: 'string' },
    unitPriceCurrency: { type: 'string' },
    unitPriceUnits: { type: new BigIntType('number') },
    unitPriceNanos: { type: 'integer' },
    acceptBackorders: { type: 'boolean' },
    maxBackorderQuantityPerCustomer: { type: 'integer' },
    maxBackorderQuantityTotal: { type: 'integer' },
    discontinued: { type: 'boolean' },
    createTime: { type: 'Date', onCreate: () => new Date() },
    updateTime: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
