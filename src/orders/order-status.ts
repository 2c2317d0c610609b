import { FulfillmentPolicy, OrderLineStatus, OrderStatus } from '../gen/restock/orders/v1/order';
import { failedPrecondition } from '../platform/errors';

/** Where the units of one order line are. */
export interface LineUnits {
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
}

const L = OrderLineStatus;
const O = OrderStatus;

/** Which line status may follow which: the one place that defines the line lifecycle. */
export const LINE_TRANSITIONS: Record<number, OrderLineStatus[]> = {
  [L.ORDER_LINE_STATUS_AWAITING_STOCK]: [L.ORDER_LINE_STATUS_ALLOCATED, L.ORDER_LINE_STATUS_PARTIALLY_SHIPPED, L.ORDER_LINE_STATUS_SHIPPED, L.ORDER_LINE_STATUS_CANCELLED],
  // back to AWAITING_STOCK when its allocated units are written off (damaged or lost)
  [L.ORDER_LINE_STATUS_ALLOCATED]: [L.ORDER_LINE_STATUS_AWAITING_STOCK, L.ORDER_LINE_STATUS_PARTIALLY_SHIPPED, L.ORDER_LINE_STATUS_SHIPPED, L.ORDER_LINE_STATUS_CANCELLED],
  [L.ORDER_LINE_STATUS_PARTIALLY_SHIPPED]: [L.ORDER_LINE_STATUS_SHIPPED],
  [L.ORDER_LINE_STATUS_SHIPPED]: [],
  [L.ORDER_LINE_STATUS_CANCELLED]: [],
};

/** Which order status may follow which: the one place that defines the order lifecycle. */
export const ORDER_TRANSITIONS: Record<number, OrderStatus[]> = {
  [O.ORDER_STATUS_AWAITING_STOCK]: [O.ORDER_STATUS_READY_TO_SHIP, O.ORDER_STATUS_PARTIALLY_SHIPPED, O.ORDER_STATUS_SHIPPED, O.ORDER_STATUS_CANCELLED],
  // back to AWAITING_STOCK when allocated units are written off (damaged or lost)
  [O.ORDER_STATUS_READY_TO_SHIP]: [O.ORDER_STATUS_AWAITING_STOCK, O.ORDER_STATUS_PARTIALLY_SHIPPED, O.ORDER_STATUS_SHIPPED, O.ORDER_STATUS_CANCELLED],
  [O.ORDER_STATUS_PARTIALLY_SHIPPED]: [O.ORDER_STATUS_SHIPPED],
  [O.ORDER_STATUS_SHIPPED]: [],
  [O.ORDER_STATUS_CANCELLED]: [],
};

/** The status a line's units put it in. */
export function lineStatus(line: LineUnits): OrderLineStatus {
  if (line.cancelled === line.quantity) return L.ORDER_LINE_STATUS_CANCELLED;
  if (line.shipped > 0) return line.allocated + line.backordered === 0 ? L.ORDER_LINE_STATUS_SHIPPED : L.ORDER_LINE_STATUS_PARTIALLY_SHIPPED;
  return line.backordered > 0 ? L.ORDER_LINE_STATUS_AWAITING_STOCK : L.ORDER_LINE_STATUS_ALLOCATED;
}

/** The status an order's lines put it in. */
export function orderStatus(lines: LineUnits[]): OrderStatus {
  const statuses = lines.map(lineStatus);
  const open = statuses.filter((s) => s !== L.ORDER_LINE_STATUS_CANCELLED);
  if (open.length === 0) return O.ORDER_STATUS_CANCELLED;
  if (open.every((s) => s === L.ORDER_LINE_STATUS_SHIPPED)) return O.ORDER_STATUS_SHIPPED;
  if (lines.some((l) => l.shipped > 0)) return O.ORDER_STATUS_PARTIALLY_SHIPPED;
  return lines.some((l) => l.backordered > 0) ? O.ORDER_STATUS_AWAITING_STOCK : O.ORDER_STATUS_READY_TO_SHIP;
}

/** Throws FAILED_PRECONDITION unless the transition table allows from -> to (staying put is always allowed). */
export function assertLineTransition(lineId: string, from: LineUnits, to: LineUnits): void {
  const [a, b] = [lineStatus(from), lineStatus(to)];
  if (a !== b && !LINE_TRANSITIONS[a].includes(b)) {
    throw failedPrecondition('INVALID_LINE_TRANSITION', `line ${lineId} cannot go from ${L[a]} to ${L[b]}`, { line_id: lineId });
  }
}

/** Throws FAILED_PRECONDITION unless the transition table allows the order to go from its lines' units before to after. */
export function assertOrderTransition(orderId: string, from: LineUnits[], to: LineUnits[]): void {
  const [a, b] = [orderStatus(from), orderStatus(to)];
  if (a !== b && !ORDER_TRANSITIONS[a].includes(b)) {
    throw failedPrecondition('INVALID_ORDER_TRANSITION', `order ${orderId} cannot go from ${O[a]} to ${O[b]}`, { order_id: orderId });
  }
}

/** The allocated units a shipment may take now, per line, under the order's fulfillment policy. */
export function shippableUnits(policy: FulfillmentPolicy, lines: (LineUnits & { lineId: string })[]): Map<string, number> {
  const complete = policy === FulfillmentPolicy.FULFILLMENT_POLICY_SHIP_COMPLETE;
  if (complete && lines.some((l) => l.backordered > 0)) return new Map();
  return new Map(lines.filter((l) => l.allocated > 0).map((l) => [l.lineId, l.allocated]));
}
