import { randomUUID } from 'node:crypto';
import { WaitingLinesChoice } from '../gen/restock/inventory/v1/inventory_service';
import { DomainError, failedPrecondition } from '../platform/errors';
import { enqueue } from '../platform/outbox';
import type { Sql } from '../platform/orm';
import type { Peers } from '../platform/service-module';
import { message } from '../platform/topics';
import { CANCEL_WAITING_LINES } from './topics';
import type { ProductInput } from './product.repository';

/** The planner's choice for a product's waiting lines when it is discontinued, and who made it. */
export interface DiscontinueChoice {
  waitingLines: WaitingLinesChoice;
  decidedBy: string;
}

/**
 * Before an upsert that discontinues a product (it was not discontinued before): refuses it with
 * WAITING_LINES_CHOICE_REQUIRED when the product has waiting backorder lines in Orders and no choice was made.
 * Orders is asked outside any transaction; a line backordered meanwhile is kept, as with KEEP.
 */
export async function checkWaitingLinesChoice(peers: Peers, product: ProductInput, wasDiscontinued: boolean, choice: DiscontinueChoice): Promise<void> {
  if (!product.discontinued || wasDiscontinued || choice.waitingLines !== WaitingLinesChoice.WAITING_LINES_CHOICE_UNSPECIFIED) return;
  const { metrics } = await peers.orders.getBackorderMetrics({ sku: product.sku }).catch((error: unknown) => {
    throw new DomainError('UNAVAILABLE', 'PEER_UNAVAILABLE', `orders did not answer (${String(error)}); retry`, { peer: 'orders' });
  });
  const lines = metrics?.openBackorderLines ?? 0;
  if (lines === 0) return;
  throw failedPrecondition(
    'WAITING_LINES_CHOICE_REQUIRED',
    `product ${product.sku} has ${lines} waiting backorder lines (${metrics!.openBackorderUnits} units): discontinue it with waiting_lines KEEP or CANCEL`,
    { sku: product.sku, waiting_lines: String(lines), waiting_units: String(metrics!.openBackorderUnits) },
  );
}

/**
 * With CANCEL, in the upsert's transaction: Orders is told (outbox) to cancel the SKU's waiting lines. It
 * cancels the lines waiting when the message arrives, so a line backordered while the product was being
 * discontinued is cancelled too.
 */
export async function cancelWaitingLinesIfChosen(sql: Sql, product: ProductInput, choice: DiscontinueChoice): Promise<void> {
  if (!product.discontinued || choice.waitingLines !== WaitingLinesChoice.WAITING_LINES_CHOICE_CANCEL) return;
  const requestId = `discontinue:${product.sku}:${randomUUID()}`;
  await enqueue(sql, 'inventory', [
    message(CANCEL_WAITING_LINES, `cancel-waiting-lines:${requestId}`, {
      requestId,
      sku: product.sku,
      reason: `${product.name} (${product.sku}) is discontinued`,
      cancelledBy: choice.decidedBy,
    }),
  ]);
}
