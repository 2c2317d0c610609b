import type { FastifyInstance } from 'fastify';
import { PurchaseOrderStatus } from '../../../gen/restock/procurement/v1/purchase_order';
import type { BufferPolicy } from '../../../gen/restock/procurement/v1/supplier';
import type { SimulatePolicyResponse } from '../../../gen/restock/procurement/v1/procurement_service';
import { Amount } from '../../../platform/money';
import { apiError, fieldViolations, type Api } from '../../api';
import { render } from '../../render';

const OPEN = [
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_ISSUED,
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_SENT,
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_CONFIRMED,
  PurchaseOrderStatus.PURCHASE_ORDER_STATUS_PARTIALLY_RECEIVED,
];

/**
 * Everything the supplier page shows: GetSupplier, GetBuffer, ListPolicyChanges, its open POs (ListPurchaseOrders
 * with the open statuses), its products (ListSupplierProducts), what a release would order now (PreviewRelease, by
 * the rules and by hand), GetLeadTimeStats, the last year's ListLeadTimeObservations (up to 1,000) and its
 * GetSupplierScorecard, all at once.
 */
export async function fetchSupplier(api: Api, supplierId: string) {
  const yearAgo = new Date(Date.now() - 365 * 86_400_000);
  const [{ supplier }, { buffer }, changes, orders, products, preview, manualPreview, leadTime, observations, { scorecard }] = await Promise.all([
    api.procurement.getSupplier({ supplierId }),
    api.procurement.getBuffer({ supplierId }),
    api.procurement.listPolicyChanges({ supplierId, pageSize: 50 }),
    api.procurement.listPurchaseOrders({ supplierId, statuses: OPEN, pageSize: 200 }),
    api.procurement.listSupplierProducts({ supplierId, pageSize: 1000 }),
    api.procurement.previewRelease({ supplierId }),
    api.procurement.previewRelease({ supplierId, force: true }),
    api.procurement.getLeadTimeStats({ supplierId }).then(
      (response) => response.stats,
      (error: unknown) => {
        if (apiError(error)) return undefined; // no observations yet, or not answerable: the page shows none
        throw error;
      },
    ),
    api.procurement.listLeadTimeObservations({ supplierId, observeStartTime: yearAgo, pageSize: 1000 }),
    api.procurement.getSupplierScorecard({ supplierId }),
  ]);
  return {
    supplier: supplier!,
    buffer: buffer!,
    changes: changes.policyChanges,
    openOrders: orders.purchaseOrders,
    products: products.supplierProducts,
    preview: preview.purchaseOrders,
    manualPreview: manualPreview.purchaseOrders,
    leadTime,
    observations: observations.observations,
    scorecard: scorecard!,
  };
}

/** The policy fields a form edits, by their names in BufferPolicy (and so in update_mask). */
export const POLICY_FIELDS = ['min_quantity', 'min_value', 'release_schedule', 'max_wait_days', 'paused'] as const;
type PolicyField = (typeof POLICY_FIELDS)[number];

/**
 * The policy form as typed, so a refused form shows again as it was. Each field has a hidden `was_<field>`: its value
 * when the form was shown, so the save names in update_mask only what the planner changed.
 */
type PolicyForm = Partial<Record<PolicyField | `was_${PolicyField}` | 'reason' | 'weeks', string>>;

/** The form's policy; fields that are not numbers are reported the way the API reports its own violations. */
function policyOf(form: PolicyForm, currencyCode: string): { policy: BufferPolicy; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const whole = (field: PolicyField) => {
    const text = (form[field] ?? '').trim();
    if (text === '') return 0;
    if (!/^-?\d+$/.test(text)) errors[`policy.${field}`] = 'must be a whole number';
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
    minQuantity: whole('min_quantity'),
    minValue,
    releaseSchedule: (form.release_schedule ?? '').trim(),
    maxWaitDays: whole('max_wait_days'),
    paused: form.paused === 'on',
  };
  return { policy, errors };
}

/** The fields whose typed value differs from the one the form was shown with: the update_mask of a save. */
export function changedFields(form: PolicyForm): PolicyField[] {
  const norm = (field: PolicyField, value: string | undefined) => (field === 'paused' ? (value === 'on' ? 'on' : '') : (value ?? '').trim());
  return POLICY_FIELDS.filter((field) => norm(field, form[field]) !== norm(field, form[`was_${field}`]));
}

/** The form's fields as the policy says (and the was_ fields alike). */
function formOf(policy: BufferPolicy | undefined): PolicyForm {
  const values: Record<PolicyField, string> = {
    min_quantity: String(policy?.minQuantity ?? 0),
    min_value: policy?.minValue?.currencyCode && !Amount.of(policy.minValue).isZero() ? Amount.of(policy.minValue).format() : '',
    release_schedule: policy?.releaseSchedule ?? '',
    max_wait_days: String(policy?.maxWaitDays ?? 0),
    paused: policy?.paused ? 'on' : '',
  };
  const form: PolicyForm = { reason: '' };
  for (const field of POLICY_FIELDS) {
    form[field] = values[field];
    form[`was_${field}`] = values[field];
  }
  return form;
}

/** The API's violations with proposed_policy.* named as policy.*, as the form's fields are. */
function asPolicyErrors(violations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(violations).map(([field, description]) => [field.replace(/^proposed_policy\./, 'policy.'), description]));
}

/** Saves the fields the planner changed (update_mask) with a reason; errors by field when refused. */
async function savePolicy(api: Api, supplierId: string, form: PolicyForm, currencyCode: string): Promise<Record<string, string>> {
  const { policy, errors } = policyOf(form, currencyCode);
  const mask = changedFields(form);
  if (mask.length === 0) errors[''] = 'Nothing to save: no field of the policy was changed.';
  if (Object.keys(errors).length > 0) return errors;
  try {
    await api.procurement.updateBufferPolicy({ supplierId, policy, reason: (form.reason ?? '').trim(), updateMask: mask });
    return {};
  } catch (error) {
    const violations = fieldViolations(error);
    if (!violations) throw error;
    return violations;
  }
}

const WEEKS = [4, 8, 13, 26, 52];

/** The what-if replay: SimulatePolicy of the proposed policy over the last `weeks` weeks beside the current one. */
export async function fetchWhatIf(api: Api, supplierId: string, form: PolicyForm) {
  const { supplier } = await api.procurement.getSupplier({ supplierId });
  const weeks = WEEKS.includes(Number(form.weeks)) ? Number(form.weeks) : 13;
  const { policy, errors } = policyOf(form, supplier!.currencyCode);
  let simulation: SimulatePolicyResponse | undefined;
  if (Object.keys(errors).length === 0) {
    const endTime = new Date();
    try {
      simulation = await api.procurement.simulatePolicy({ supplierId, proposedPolicy: policy, startTime: new Date(endTime.getTime() - weeks * 7 * 86_400_000), endTime });
    } catch (error) {
      const violations = fieldViolations(error);
      if (!violations) throw error;
      Object.assign(errors, asPolicyErrors(violations));
    }
  }
  return { supplier: supplier!, weeks, weekChoices: WEEKS, simulation, errors, chart: simulation ? releaseChart(simulation) : undefined };
}

/** The chart's data: units ordered so far at each simulated release of either policy (uPlot wants one x axis). */
function releaseChart(simulation: SimulatePolicyResponse) {
  const releases = (side: 'proposed' | 'current') =>
    (simulation[side]?.releases ?? []).map((release) => ({ t: Math.floor(release.releaseTime!.getTime() / 1000), units: release.lines.reduce((sum, line) => sum + line.quantity, 0) }));
  const proposed = releases('proposed');
  const current = releases('current');
  const start = Math.floor(simulation.startTime!.getTime() / 1000);
  const end = Math.floor(simulation.endTime!.getTime() / 1000);
  const x = [...new Set([start, ...proposed.map((r) => r.t), ...current.map((r) => r.t), end])].sort((a, b) => a - b);
  const cumulative = (list: { t: number; units: number }[]) => {
    let sum = 0;
    let i = 0;
    return x.map((t) => {
      while (i < list.length && list[i].t <= t) sum += list[i++].units;
      return sum;
    });
  };
  return { x, series: [{ label: 'Proposed: units ordered', values: cumulative(proposed) }, { label: 'Current: units ordered', values: cumulative(current) }] };
}

export default async function supplierRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string }; Querystring: { saved?: string; applied?: string } }>('/suppliers/:id', async (request, reply) => {
    const data = await fetchSupplier(request.api, request.params.id);
    const form = formOf(data.supplier.bufferPolicy);
    return render(request, reply, 'supplier.eta', { title: data.supplier.name, ...data, form, proposal: form, saved: request.query.saved === '1', applied: request.query.applied === '1' });
  });

  app.post<{ Params: { id: string }; Body: PolicyForm }>('/suppliers/:id/policy', async (request, reply) => {
    const { supplier } = await request.api.procurement.getSupplier({ supplierId: request.params.id });
    const form = request.body ?? {};
    const errors = await savePolicy(request.api, request.params.id, form, supplier!.currencyCode);
    if (Object.keys(errors).length === 0) return reply.redirect(`/suppliers/${encodeURIComponent(request.params.id)}?saved=1#policy`, 303);
    const data = await fetchSupplier(request.api, request.params.id);
    reply.code(400);
    return render(request, reply, 'supplier.eta', { title: data.supplier.name, ...data, form, proposal: formOf(data.supplier.bufferPolicy), errors, saved: false });
  });

  app.get<{ Params: { id: string }; Querystring: PolicyForm }>('/suppliers/:id/what-if', async (request, reply) => {
    const form = request.query ?? {};
    const data = await fetchWhatIf(request.api, request.params.id, form);
    if (Object.keys(data.errors).length > 0) reply.code(400);
    return render(request, reply, 'what-if.eta', { title: `What if: ${data.supplier.name}`, ...data, form, current: formOf(data.supplier.bufferPolicy) });
  });

  // applies a simulated policy: the fields it changes against the policy the simulation compared it with
  app.post<{ Params: { id: string }; Body: PolicyForm }>('/suppliers/:id/what-if/apply', async (request, reply) => {
    const form = request.body ?? {};
    const { supplier } = await request.api.procurement.getSupplier({ supplierId: request.params.id });
    const errors = await savePolicy(request.api, request.params.id, form, supplier!.currencyCode);
    if (Object.keys(errors).length === 0) return reply.redirect(`/suppliers/${encodeURIComponent(request.params.id)}?applied=1#history`, 303);
    const data = await fetchWhatIf(request.api, request.params.id, form);
    reply.code(400);
    const applyErrors = Object.fromEntries(Object.entries(errors).map(([field, description]) => [field === 'reason' ? 'apply_reason' : field, description]));
    return render(request, reply, 'what-if.eta', { title: `What if: ${data.supplier.name}`, ...data, errors: { ...data.errors, ...applyErrors }, form, current: formOf(data.supplier.bufferPolicy) });
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } }>('/suppliers/:id/release', async (request, reply) => {
    const reason = (request.body?.reason ?? '').trim();
    if (!reason || reason.length > 500) {
      const data = await fetchSupplier(request.api, request.params.id);
      reply.code(400);
      const form = formOf(data.supplier.bufferPolicy);
      return render(request, reply, 'supplier.eta', { title: data.supplier.name, ...data, form, proposal: form, errors: { release_reason: reason ? 'must be at most 500 characters' : 'say why you release it by hand' }, saved: false });
    }
    // EvaluateBuffers(force) keeps the caller (released_by) and the reason (release_reason) on the POs it releases
    const { purchaseOrders } = await request.api.procurement.evaluateBuffers({ supplierId: request.params.id, force: true, reason });
    request.log.info({ sub: request.person!.sub, supplierId: request.params.id, reason, released: purchaseOrders.map((order) => order.number) }, 'released by hand');
    const released = purchaseOrders.map((order) => order.number).join(',');
    return reply.redirect(`/purchase-orders?supplier=${encodeURIComponent(request.params.id)}&released=${encodeURIComponent(released || 'none')}`, 303);
  });
}
