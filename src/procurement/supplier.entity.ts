import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { PolicyChange, PolicySettings } from './buffer-policy';
import type { Supplier } from './suppliers';

/** SupplierEntity is a row of procurement.supplier: the supplier with its buffer policy columns. */
export type SupplierEntity = Omit<Supplier, 'policy'> & PolicySettings & { updateTime: Date };

export const SupplierSchema = new EntitySchema<SupplierEntity>({
  name: 'Supplier',
  tableName: 'supplier',
  properties: {
    supplierId: { type: 'string', primary: true },
    name: { type: 'string' },
    email: { type: 'string' },
    timeZone: { type: 'string' },
    quotedLeadTimeDays: { type: 'integer' },
    currencyCode: { type: 'string' },
    minQuantity: { type: 'integer' },
    minValue: { type: 'decimal', precision: 20, scale: 9 },
    releaseSchedule: { type: 'string' },
    maxWaitDays: { type: 'integer' },
    paused: { type: 'boolean' },
    nextReleaseTime: { type: 'Date' },
    updateTime: { type: 'Date' },
  },
});

/** PolicyChangeEntity is a row of procurement.policy_change: one entry of a supplier's policy audit trail. */
export type PolicyChangeEntity = PolicyChange & { id: number };

export const PolicyChangeSchema = new EntitySchema<PolicyChangeEntity>({
  name: 'PolicyChange',
  tableName: 'policy_change',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    supplierId: { type: 'string' },
    updatedBy: { type: 'string' },
    reason: { type: 'string' },
    oldPolicy: { type: 'json' },
    newPolicy: { type: 'json' },
    changeTime: { type: 'Date' },
  },
});
