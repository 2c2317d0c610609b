import type { FastifyInstance } from 'fastify';
import { PurchaseOrderStatus } from '../../../gen/restock/procurement/v1/purchase_order';
import type { BufferPolicy } from '../../../gen/restock/procurement/v1/supplier';
import { Amount } from '../../../platform/money';
import { apiError, fieldViolations, type Api } from '../../api';
import { render } from '../../render';

const CLOSED = [PurchaseOrderStatus.PURCHASE_ORDER_STATUS_RECEIVED, PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CANCELLED];

/**
 * Everything the supplier page shows. Today: GetSupplier, GetBuffer, ListPolicyChanges, ListPurchaseOrders (then
 * only the open ones are kept) and GetLeadTimeStats; swap ListPurchaseOrders for its multi-status filter when it lands.
 */
export async function fetchSupplier(api: Api, supplierId: string) {
  const [{ supplier }, { buffer }, changes, orders, leadTime] = await Promise.all([
    api.procurement.getSupplier({ supplierId }),
    api.procurement.getBuffer({ supplierId }),
    api.procurement.listPolicyChanges({ supplierId, pageSize: 50 }),
    api.procurement.listPurchaseOrders({ supplierId, pageSize: 200 }),
    api.procurement.getLeadTimeStats({ supplierId }).then(
      (response) => response.stats,
      (error: unknown) => {
        if (apiError(error)) return undefined; // no observations yet, or not answerable: the page shows none
        throw error;
      },
    ),
  ]);
  return {
    supplier: supplier!,
    buffer: buffer!,
    changes: changes.policyChanges,
    openOrders: orders.purchaseOrders.filter((order) => !CLOSED.includes(order.status)),
    leadTime,
  };
}

/** The policy form as typed, so a refused form shows again as it was. */
interface PolicyForm {
  min_quantity?: string;
  min_value?: string;
  release_schedule?: string;
  max_wait_days?: string;
  paused?: string;
  reason?: string;
}

/** The form's policy; fields that are not numbers are reported the way the API reports its own violations. */
function policyOf(form: PolicyForm, currencyCode: string): { policy: BufferPolicy; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const whole = (field: keyof PolicyForm, path: string) => {
    const text = (form[field] ?? '').trim();
    if (text === '') return 0;
    if (!/^-?\d+$/.test(text)) errors[path] = 'must be a whole number';
    return Number(text);
  };
  let minValue;
  const valueText = (form.min_value ?? '').trim();
  if (valueText !== '') {
    try {
      minValue = Amount.parse(valueText, currencyCode).toMoney();
    } catch {
      errors['policy.min_value'] = 'must be an amount such as 250 or 99.50';
    }
  }
  const policy: BufferPolicy = {
    minQuantity: whole('min_quantity', 'policy.min_quantity'),
    minValue,
    releaseSchedule: (form.release_schedule ?? '').trim(),
    maxWaitDays: whole('max_wait_days', 'policy.max_wait_days'),
    paused: form.paused === 'on',
  };
  return { policy, errors };
}

/** The form's fields as the current policy says. */
function formOf(policy: BufferPolicy | undefined): PolicyForm {
  return {
    min_quantity: String(policy?.minQuantity ?? 0),
    min_value: policy?.minValue?.currencyCode && !Amount.of(policy.minValue).isZero() ? Amount.of(policy.minValue).format() : '',
    release_schedule: policy?.releaseSchedule ?? '',
    max_wait_days: String(policy?.maxWaitDays ?? 0),
    paused: policy?.paused ? 'on' : '',
    reason: '',
  };
}

export default async function supplierRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/suppliers/:id', async (request, reply) => {
    const data = await fetchSupplier(request.api, request.params.id);
    return render(request, reply, 'supplier.eta', { title: data.supplier.name, ...data, form: formOf(data.supplier.bufferPolicy), saved: request.query.saved === '1' });
  });

  app.post<{ Params: { id: string }; Body: PolicyForm }>('/suppliers/:id/policy', async (request, reply) => {
    const { supplier } = await request.api.procurement.getSupplier({ supplierId: request.params.id });
    const form = request.body ?? {};
    const { policy, errors } = policyOf(form, supplier!.currencyCode);
    if (Object.keys(errors).length === 0) {
      try {
        await request.api.procurement.updateBufferPolicy({ supplierId: request.params.id, policy, reason: (form.reason ?? '').trim() });
        return reply.redirect(`/suppliers/${encodeURIComponent(request.params.id)}?saved=1#policy`, 303);
      } catch (error) {
        const violations = fieldViolations(error);
        if (!violations) throw error;
        Object.assign(errors, violations);
      }
    }
    const data = await fetchSupplier(request.api, request.params.id);
    reply.code(400);
    return render(request, reply, 'supplier.eta', { title: data.supplier.name, ...data, form, errors, saved: false });
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } }>('/suppliers/:id/release', async (request, reply) => {
    const reason = (request.body?.reason ?? '').trim();
    if (!reason) {
      const data = await fetchSupplier(request.api, request.params.id);
      reply.code(400);
      return render(request, reply, 'supplier.eta', { title: data.supplier.name, ...data, form: formOf(data.supplier.bufferPolicy), errors: { release_reason: 'say why you release it by hand' }, saved: false });
    }
    // EvaluateBuffers(force) records the caller as the one who released; it has no reason field yet, so the reason is logged
    const { purchaseOrders } = await request.api.procurement.evaluateBuffers({ supplierId: request.params.id, force: true });
    request.log.info({ sub: request.person!.sub, supplierId: request.params.id, reason, released: purchaseOrders.map((order) => order.number) }, 'released by hand');
    const released = purchaseOrders.map((order) => order.number).join(',');
    return reply.redirect(`/purchase-orders?supplier=${encodeURIComponent(request.params.id)}&released=${encodeURIComponent(released || 'none')}`, 303);
  });
}
