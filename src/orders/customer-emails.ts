import { EtaSource, FulfillmentPolicy, OrderStatus, type Order, type OrderLine } from '../gen/restock/orders/v1/order';
import { html, type SafeHtml } from '../platform/html';
import type { Email } from '../platform/mail';
import type { Eta } from './etas';

/** "2026-12-01", or "unknown" when no forecast covers the line. */
export function etaText(eta: Eta | undefined): string {
  if (!eta || eta.source === EtaSource.ETA_SOURCE_UNKNOWN || !eta.expectedTime) return 'unknown';
  return day(eta.expectedTime);
}

/** "between 2026-12-01 and 2026-12-05" (earliest to latest), "on 2026-12-01" when both are that day, or "unknown". */
export function etaRangeText(eta: Eta | undefined): string {
  if (!eta || eta.source === EtaSource.ETA_SOURCE_UNKNOWN || !eta.expectedTime) return 'unknown';
  const [earliest, latest] = [day(eta.expectedTime), day(eta.latestTime ?? eta.expectedTime)];
  return earliest === latest ? `on ${earliest}` : `between ${earliest} and ${latest}`;
}

function day(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** How a customer recognises a line: the product's name with its SKU ("Blue Mug (SKU MUG-1)"), or the SKU alone. */
export function productLabel(line: { sku: string; productName?: string }): string {
  return line.productName ? `${line.productName} (SKU ${line.sku})` : `SKU ${line.sku}`;
}

function email(order: Order, subject: string, paragraphs: string[], rows: string[][]): Email {
  const text = [...paragraphs, '', ...rows.map((cells) => `- ${cells.join(' | ')}`), '', 'Restock'].join('\n');
  const table: SafeHtml = html`<table>${rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}</table>`;
  const body = html`<html><body>${paragraphs.map((p) => html`<p>${p}</p>`)}${rows.length > 0 ? table : ''}<p>Restock</p></body></html>`;
  return { to: order.customerEmail, subject, text, html: body.value, sender: 'customer' };
}

/**
 * Order confirmation: per product, what ships now (or, for a ship-complete order, is kept for it) and
 * what is backordered, with each backorder's expected date range.
 */
export function confirmationEmail(order: Order): Email {
  const waiting = order.lines.filter((l) => l.backorderedQuantity > 0);
  const complete = order.fulfillmentPolicy === FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE;
  const intro =
    waiting.length === 0
      ? `We received order ${order.orderId}. Everything is in stock.`
      : complete
        ? `We received order ${order.orderId}. Some items are backordered; the whole order ships once they arrive.`
        : `We received order ${order.orderId}. What is in stock ships now; the backordered items follow as soon as they arrive.`;
  return email(order, `Order ${order.orderId} confirmed`, [intro], order.lines.map((l) => lineRow(l, complete)));
}

function lineRow(line: OrderLine, complete: boolean): string[] {
  const inStock = complete ? `${line.allocatedQuantity} in stock, kept for this order` : `${line.allocatedQuantity} shipping now`;
  const row = [productLabel(line), `${line.quantity} ordered`, inStock];
  return line.backorderedQuantity > 0 ? [...row, `${line.backorderedQuantity} backordered`, `expected ${etaRangeText(line.eta)}`] : row;
}

/** Every open unit of the order is reserved and it can ship. */
export function readyToShipEmail(order: Order): Email {
  return email(order, `Order ${order.orderId} is ready to ship`, [`Good news: every item of order ${order.orderId} is now in stock and reserved for you.`], order.lines.filter((l) => l.allocatedQuantity > 0).map((l) => [productLabel(l), `${l.allocatedQuantity} reserved`]));
}

/** A shipment left: its carrier, tracking number and, when the carrier gave one, the estimated delivery date. */
export function shippedEmail(
  order: Order,
  shipment: { carrier: string; trackingNumber: string; estimatedDeliveryTime?: Date; lines: { sku: string; quantity: number }[] },
): Email {
  const delivery = shipment.estimatedDeliveryTime ? [`Estimated delivery: ${shipment.estimatedDeliveryTime.toISOString().slice(0, 10)}`] : [];
  return email(
    order,
    `Order ${order.orderId} has shipped`,
    [`Part or all of order ${order.orderId} is on its way with ${shipment.carrier}.`, `Tracking number: ${shipment.trackingNumber}`, ...delivery],
    shipment.lines.map((l) => [l.sku, `${l.quantity} shipped`]),
  );
}

/** A backordered line's expected date moved later. */
export function etaSlippedEmail(order: Order, line: { sku: string; waiting: number }, told: Date, now: Eta): Email {
  const label = productLabel({ sku: line.sku, productName: order.lines.find((l) => l.sku === line.sku)?.productName });
  return email(
    order,
    `Order ${order.orderId}: ${label} is delayed`,
    [`The ${line.waiting} backordered units of ${label} in order ${order.orderId} are now expected on ${etaText(now)} instead of ${day(told)} (${etaRangeText(now)}).`],
    [],
  );
}

/** A line whose ETA became known or moved earlier, with the date its customer was told before (null: unknown). */
export interface EtaNews {
  sku: string;
  waiting: number;
  told: Date | null;
  eta: Eta;
}

/** Good news: backordered lines of an order now have a date, or an earlier one. */
export function etaImprovedEmail(order: Order, lines: EtaNews[]): Email {
  const label = (sku: string) => productLabel({ sku, productName: order.lines.find((l) => l.sku === sku)?.productName });
  return email(
    order,
    `Order ${order.orderId}: good news about your backordered items`,
    [`Backordered items of order ${order.orderId} now have an expected date, or an earlier one.`],
    lines.map((l) => [label(l.sku), `${l.waiting} backordered`, `expected ${etaRangeText(l.eta)}`, l.told ? `before: ${day(l.told)}` : 'before: unknown']),
  );
}

/** Periodic update for an order that still waits for stock. */
export function stillWaitingEmail(order: Order): Email {
  return email(
    order,
    `Order ${order.orderId}: still waiting for stock`,
    [`Some items of order ${order.orderId} are still backordered. Here is where they stand.`],
    order.lines.filter((l) => l.backorderedQuantity > 0).map((l) => [productLabel(l), `${l.backorderedQuantity} backordered`, `expected ${etaRangeText(l.eta)}`]),
  );
}

/** Units of an order were cancelled, with the reason given. */
export function cancellationEmail(order: Order, cancelled: { sku: string; quantity: number }[], reason: string): Email {
  const what = order.status === OrderStatus.ORDER_STATUS_CANCELLED ? `Order ${order.orderId} was cancelled.` : `Part of order ${order.orderId} was cancelled.`;
  return email(order, `Order ${order.orderId}: cancellation`, [what, `Reason: ${reason || 'not given'}`], cancelled.map((c) => [productLabel({ sku: c.sku, productName: order.lines.find((l) => l.sku === c.sku)?.productName }), `${c.quantity} cancelled`]));
}

/** Units reserved for the order were damaged or lost: they are backordered again, at the order's place in the queue. */
export function writtenOffEmail(order: Order, units: { sku: string; quantity: number; eta: Eta }[]): Email {
  return email(
    order,
    `Order ${order.orderId}: some reserved items are backordered again`,
    [`Some items we had reserved for order ${order.orderId} were damaged or lost in our warehouse. They are backordered again, and keep their place in the queue.`],
    units.map((u) => [u.sku, `${u.quantity} backordered again`, `expected ${etaText(u.eta)}`]),
  );
}
