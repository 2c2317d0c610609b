import { EtaSource, OrderStatus, type Order, type OrderLine } from '../gen/restock/orders/v1/order';
import { html, type SafeHtml } from '../platform/html';
import type { Email } from '../platform/mail';
import type { Eta } from './etas';

/** "2026-12-01", or "unknown" when no forecast covers the line. */
export function etaText(eta: Eta | undefined): string {
  if (!eta || eta.source === EtaSource.ETA_SOURCE_UNKNOWN || !eta.expectedTime) return 'unknown';
  return eta.expectedTime.toISOString().slice(0, 10);
}

function email(order: Order, subject: string, paragraphs: string[], rows: string[][]): Email {
  const text = [...paragraphs, '', ...rows.map((cells) => `- ${cells.join(' | ')}`), '', 'Restock'].join('\n');
  const table: SafeHtml = html`<table>${rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}</table>`;
  const body = html`<html><body>${paragraphs.map((p) => html`<p>${p}</p>`)}${rows.length > 0 ? table : ''}<p>Restock</p></body></html>`;
  return { to: order.customerEmail, subject, text, html: body.value };
}

/** Order confirmation: what is reserved and what is backordered, with each backorder's ETA. */
export function confirmationEmail(order: Order): Email {
  const waiting = order.lines.filter((l) => l.backorderedQuantity > 0);
  const intro = waiting.length > 0 ? `We received order ${order.orderId}. Some items are backordered; we ship them as soon as they arrive.` : `We received order ${order.orderId}. Everything is in stock.`;
  return email(order, `Order ${order.orderId} confirmed`, [intro], order.lines.map(lineRow));
}

function lineRow(line: OrderLine): string[] {
  const row = [line.sku, `${line.quantity} ordered`, `${line.allocatedQuantity} reserved`];
  return line.backorderedQuantity > 0 ? [...row, `${line.backorderedQuantity} backordered`, `expected ${etaText(line.eta)}`] : row;
}

/** Every open unit of the order is reserved and it can ship. */
export function readyToShipEmail(order: Order): Email {
  return email(order, `Order ${order.orderId} is ready to ship`, [`Good news: every item of order ${order.orderId} is now in stock and reserved for you.`], order.lines.filter((l) => l.allocatedQuantity > 0).map((l) => [l.sku, `${l.allocatedQuantity} reserved`]));
}

/** A shipment left, with its carrier and tracking number. */
export function shippedEmail(order: Order, shipment: { carrier: string; trackingNumber: string; lines: { sku: string; quantity: number }[] }): Email {
  return email(
    order,
    `Order ${order.orderId} has shipped`,
    [`Part or all of order ${order.orderId} is on its way with ${shipment.carrier}.`, `Tracking number: ${shipment.trackingNumber}`],
    shipment.lines.map((l) => [l.sku, `${l.quantity} shipped`]),
  );
}

/** A backordered line's expected date moved later. */
export function etaSlippedEmail(order: Order, line: { sku: string; waiting: number }, told: Date, now: Eta): Email {
  return email(
    order,
    `Order ${order.orderId}: ${line.sku} is delayed`,
    [`The ${line.waiting} backordered units of ${line.sku} in order ${order.orderId} are now expected on ${etaText(now)} instead of ${told.toISOString().slice(0, 10)}.`],
    [],
  );
}

/** Periodic update for an order that still waits for stock. */
export function stillWaitingEmail(order: Order): Email {
  return email(
    order,
    `Order ${order.orderId}: still waiting for stock`,
    [`Some items of order ${order.orderId} are still backordered. Here is where they stand.`],
    order.lines.filter((l) => l.backorderedQuantity > 0).map((l) => [l.sku, `${l.backorderedQuantity} backordered`, `expected ${etaText(l.eta)}`]),
  );
}

/** Units of an order were cancelled, with the reason given. */
export function cancellationEmail(order: Order, cancelled: { sku: string; quantity: number }[], reason: string): Email {
  const what = order.status === OrderStatus.ORDER_STATUS_CANCELLED ? `Order ${order.orderId} was cancelled.` : `Part of order ${order.orderId} was cancelled.`;
  return email(order, `Order ${order.orderId}: cancellation`, [what, `Reason: ${reason || 'not given'}`], cancelled.map((c) => [c.sku, `${c.quantity} cancelled`]));
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
