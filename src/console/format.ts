import { orderLineStatusToJSON, orderStatusToJSON, type OrderLineStatus, type OrderStatus } from '../gen/restock/orders/v1/order';
import type { Money } from '../gen/restock/common/v1/money';
import { priorityToJSON, type Priority } from '../gen/restock/common/v1/priority';
import { purchaseOrderStatusToJSON, releaseTriggerToJSON, type PurchaseOrderStatus, type ReleaseTrigger } from '../gen/restock/procurement/v1/purchase_order';
import { Amount } from '../platform/money';

/** Helpers the templates use to show values; they format, they decide nothing. */
export const format = {
  money(money: Money | undefined): string {
    if (!money || !money.currencyCode) return '—';
    return `${Amount.of(money).format()} ${money.currencyCode}`;
  },
  /** A decimal for a form field ("" for unset or zero). */
  decimal(money: Money | undefined): string {
    if (!money || !money.currencyCode || Amount.of(money).isZero()) return '';
    return Amount.of(money).format();
  },
  time(time: Date | undefined): string {
    if (!time) return '—';
    return time.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  },
  iso(time: Date | undefined): string {
    return time ? time.toISOString() : '';
  },
  /** Age from time to now, in days and hours. */
  age(time: Date | undefined, now = new Date()): string {
    if (!time) return '—';
    const hours = Math.max(0, Math.floor((now.getTime() - time.getTime()) / 3_600_000));
    return hours >= 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours} h`;
  },
  /** A protobuf Duration in days and hours, or minutes under an hour ("—" when unset). */
  duration(duration: { seconds: number; nanos: number } | undefined): string {
    if (!duration) return '—';
    const seconds = Math.max(0, Number(duration.seconds));
    const hours = Math.floor(seconds / 3600);
    if (hours === 0) return `${Math.floor(seconds / 60)} min`;
    return hours >= 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours} h`;
  },
  days(days: number | undefined): string {
    return days === undefined || Number.isNaN(days) ? '—' : `${days.toFixed(1)} d`;
  },
  percent(share: number | undefined): string {
    return share === undefined ? '—' : `${(share * 100).toFixed(1)} %`;
  },
  status(value: PurchaseOrderStatus): string {
    return words(purchaseOrderStatusToJSON(value).replace('PURCHASE_ORDER_STATUS_', ''));
  },
  trigger(value: ReleaseTrigger): string {
    return words(releaseTriggerToJSON(value).replace('RELEASE_TRIGGER_', ''));
  },
  priority(value: Priority): string {
    return words(priorityToJSON(value).replace('PRIORITY_', ''));
  },
  orderStatus(value: OrderStatus): string {
    return words(orderStatusToJSON(value).replace('ORDER_STATUS_', ''));
  },
  lineStatus(value: OrderLineStatus): string {
    return words(orderLineStatusToJSON(value).replace('ORDER_LINE_STATUS_', ''));
  },
};

function words(constant: string): string {
  const lower = constant.toLowerCase().replace(/_/g, ' ');
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
