import type { ProcurementServiceDefinition } from '../gen/restock/procurement/v1/procurement_service';
import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import type { Handlers } from '../platform/rpc';
import { Validator } from '../platform/validation';
import * as map from './procurement.mapping';
import { listPurchaseOrderEmails, resendPurchaseOrder, type EmailSettings } from './purchase-order-emails';

/** Handlers of a PO's emails: resend one (audited: who from the token, why from the request) and list them. */
export function purchaseOrderEmailHandlers(orm: Orm, clock: Clock, settings: EmailSettings): Pick<Handlers<typeof ProcurementServiceDefinition>, 'resendPurchaseOrder' | 'listPurchaseOrderEmails'> {
  return {
    async resendPurchaseOrder(request, call) {
      // required: clients retry it by itself (retries.ts), and the key is what makes a retry one email
      new Validator().id('purchase_order_id', request.purchaseOrderId).text('reason', request.reason.trim(), { min: 1, max: 500 }).id('request_id', request.requestId).done();
      const email = await resendPurchaseOrder(orm, clock, settings, { ...request, reason: request.reason.trim(), requestedBy: call.caller.sub });
      return { email: map.toPurchaseOrderEmail(email) };
    },
    async listPurchaseOrderEmails({ purchaseOrderId }) {
      new Validator().id('purchase_order_id', purchaseOrderId).done();
      return { emails: (await listPurchaseOrderEmails(orm, purchaseOrderId)).map(map.toPurchaseOrderEmail) };
    },
  };
}
