import { EtaSource, type Eta as EtaMessage } from '../gen/restock/orders/v1/order';
import { ArrivalSource, type Arrival } from '../gen/restock/procurement/v1/buffer';
import type { Peers } from '../platform/service-module';

/** Eta is when a waiting line is expected to be filled; expected/latest are unset when the source is UNKNOWN. */
export interface Eta {
  expectedTime?: Date;
  latestTime?: Date;
  source: EtaSource;
  purchaseOrderId: string;
}

export const UNKNOWN_ETA: Eta = { source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' };

/** A waiting line in allocation order and how many of its units wait. */
export interface QueuedLine {
  lineId: string;
  waiting: number;
}

/**
 * Matches a SKU's queue (in allocation order) against its forecast arrivals (in time order): a line's ETA
 * is the arrival whose cumulative quantity first covers the line's last waiting unit; UNKNOWN past the forecast.
 */
export function matchEtas(queue: QueuedLine[], arrivals: Arrival[]): Map<string, Eta> {
  const etas = new Map<string, Eta>();
  let needed = 0;
  let supplied = 0;
  let next = 0;
  for (const line of queue) {
    needed += line.waiting;
    while (supplied < needed && next < arrivals.length) supplied += arrivals[next++].quantity;
    const arrival = supplied >= needed && next > 0 ? arrivals[next - 1] : undefined;
    etas.set(line.lineId, arrival ? etaOf(arrival) : UNKNOWN_ETA);
  }
  return etas;
}

function etaOf(arrival: Arrival): Eta {
  const source = arrival.source === ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER ? EtaSource.ETA_SOURCE_PURCHASE_ORDER : EtaSource.ETA_SOURCE_BUFFER;
  if (!arrival.expectedTime) return UNKNOWN_ETA;
  return { expectedTime: arrival.expectedTime, latestTime: arrival.latestTime ?? arrival.expectedTime, source, purchaseOrderId: arrival.purchaseOrderId };
}

/** The SKU's forecast arrivals from Procurement, in time order; empty when Procurement cannot tell (no invented dates). */
export function supplyForecast(peers: Peers, sku: string): Promise<Arrival[]> {
  return supplyForecasts(peers, [sku]).then(
    (forecasts) => forecasts.get(sku) ?? [],
    () => [],
  );
}

/**
 * Per SKU, its supply forecast: QuoteSupply with nothing demanded, one call for all of them (at most 1,000).
 * Throws when Procurement cannot tell.
 */
export async function supplyForecasts(peers: Peers, skus: string[]): Promise<Map<string, Arrival[]>> {
  const { quotes } = await peers.procurement.quoteSupply({ demands: skus.map((sku) => ({ sku, quantity: 0 })) }, { timeoutMs: 5_000 });
  return new Map(quotes.map((q) => [q.sku, [...q.arrivals].sort(byExpectedTime)]));
}

/** A SKU's forecast with new demand counted in, and when that demand itself arrives (Procurement's QuoteSupply). */
export interface SupplyQuote {
  arrivals: Arrival[];
  /** Unset when no supplier sells the SKU (or its buffer is paused). */
  demandArrival?: Arrival;
}

/**
 * Per SKU, its supply as if these units were demanded now, with one QuoteSupply call for all; an empty map
 * when Procurement cannot tell (the ETAs are then unknown, never invented).
 */
export async function quoteSupply(peers: Peers, demands: { sku: string; quantity: number }[]): Promise<Map<string, SupplyQuote>> {
  if (demands.length === 0) return new Map();
  try {
    const { quotes } = await peers.procurement.quoteSupply({ demands }, { timeoutMs: 5_000 });
    return new Map(quotes.map((q) => [q.sku, { arrivals: [...q.arrivals].sort(byExpectedTime), demandArrival: q.demandArrival }]));
  } catch {
    return new Map();
  }
}

function byExpectedTime(a: Arrival, b: Arrival): number {
  return (a.expectedTime?.getTime() ?? Infinity) - (b.expectedTime?.getTime() ?? Infinity);
}

/**
 * The ETA of a new backordered line with `ahead` units queued before it: the arrival that covers its last
 * unit (an open PO with room, or the buffer its demand joins); when the forecast does not cover it (demand
 * ahead of it not recorded yet), the arrival of the buffer its own demand joins.
 */
export function newBackorderEta(ahead: number, waiting: number, quote: SupplyQuote | undefined): Eta {
  if (!quote) return UNKNOWN_ETA;
  const eta = matchEtas([{ lineId: 'ahead', waiting: ahead }, { lineId: 'line', waiting }], quote.arrivals).get('line')!;
  return eta.source === EtaSource.ETA_SOURCE_UNKNOWN && quote.demandArrival ? etaOf(quote.demandArrival) : eta;
}

/** The contract's Eta (timestamps unset when UNKNOWN). */
export function toEta(eta: Eta): EtaMessage {
  return { expectedTime: eta.expectedTime, latestTime: eta.latestTime, source: eta.source, purchaseOrderId: eta.purchaseOrderId } as EtaMessage;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** True when a customer told `told` (null: "unknown") has good news in `now`: a date at last, or one a day or more earlier. */
export function etaImproved(told: Date | null, now: Eta): boolean {
  if (now.source === EtaSource.ETA_SOURCE_UNKNOWN || now.expectedTime === undefined) return false;
  return told === null || told.getTime() - now.expectedTime.getTime() >= DAY_MS;
}

/** True when a customer told `told` should hear about `now`: the expected date moved a day or more later. */
export function etaSlipped(told: Date | null, now: Eta): boolean {
  return told !== null && now.expectedTime !== undefined && now.expectedTime.getTime() - told.getTime() >= DAY_MS;
}
