import { EtaSource } from '../gen/restock/orders/v1/order';
import { ArrivalSource } from '../gen/restock/procurement/v1/buffer';
import { etaImproved, etaSlipped, matchEtas, newBackorderEta } from './etas';

const day = (d: number) => new Date(Date.UTC(2026, 11, d));
const arrival = (d: number, quantity: number, source = ArrivalSource.ARRIVAL_SOURCE_PURCHASE_ORDER, purchaseOrderId = `po-${d}`) => ({
  expectedTime: day(d),
  latestTime: day(d + 2),
  quantity,
  source,
  purchaseOrderId,
});

describe('matchEtas', () => {
  it('gives each line the arrival that covers its last waiting unit, and UNKNOWN past the forecast', () => {
    const etas = matchEtas(
      [
        { lineId: 'a', waiting: 3 },
        { lineId: 'b', waiting: 4 },
        { lineId: 'c', waiting: 1 },
        { lineId: 'd', waiting: 5 },
      ],
      [arrival(1, 5), arrival(3, 3, ArrivalSource.ARRIVAL_SOURCE_BUFFER, ''), arrival(9, 2)],
    );
    expect(etas.get('a')).toEqual({ expectedTime: day(1), latestTime: day(3), source: EtaSource.ETA_SOURCE_PURCHASE_ORDER, purchaseOrderId: 'po-1' });
    expect(etas.get('b')?.expectedTime).toEqual(day(3)); // units 4-7: the 5 of day 1 are not enough
    expect(etas.get('b')?.source).toBe(EtaSource.ETA_SOURCE_BUFFER);
    expect(etas.get('c')?.expectedTime).toEqual(day(3)); // unit 8 is the last of day 3
    expect(etas.get('d')).toEqual({ source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' }); // needs 13, forecast has 10
  });

  it('says UNKNOWN for every line when there is no forecast', () => {
    expect(matchEtas([{ lineId: 'a', waiting: 1 }], []).get('a')?.source).toBe(EtaSource.ETA_SOURCE_UNKNOWN);
  });
});

describe('etaSlipped', () => {
  it('is true only when the expected date moved at least a day later than what the customer was told', () => {
    const eta = (d: Date) => ({ expectedTime: d, latestTime: d, source: EtaSource.ETA_SOURCE_BUFFER, purchaseOrderId: '' });
    expect(etaSlipped(day(5), eta(day(6)))).toBe(true);
    expect(etaSlipped(day(5), eta(new Date(day(6).getTime() - 1)))).toBe(false);
    expect(etaSlipped(day(5), eta(day(3)))).toBe(false);
    expect(etaSlipped(null, eta(day(9)))).toBe(false);
  });
});

describe('newBackorderEta', () => {
  const buffer = arrival(20, 8, ArrivalSource.ARRIVAL_SOURCE_BUFFER, '');
  it('rides an open PO with room for it, else the buffer its demand joins', () => {
    const quote = { arrivals: [arrival(5, 10), buffer], demandArrival: buffer };
    expect(newBackorderEta(6, 4, quote).purchaseOrderId).toBe('po-5'); // units 7-10 of the PO are free
    expect(newBackorderEta(6, 5, quote).expectedTime).toEqual(day(20));
  });

  it('falls back on the buffer its demand joins when demand ahead of it is not recorded yet; UNKNOWN without a supplier', () => {
    expect(newBackorderEta(50, 3, { arrivals: [buffer], demandArrival: buffer })).toMatchObject({ expectedTime: day(20), source: EtaSource.ETA_SOURCE_BUFFER });
    expect(newBackorderEta(0, 3, { arrivals: [] })).toEqual({ source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' });
    expect(newBackorderEta(0, 3, undefined)).toEqual({ source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' });
  });
});

describe('etaImproved', () => {
  it('is good news when a date becomes known or comes a day or more earlier', () => {
    const eta = { expectedTime: day(10), latestTime: day(12), source: EtaSource.ETA_SOURCE_BUFFER, purchaseOrderId: '' };
    expect(etaImproved(null, eta)).toBe(true);
    expect(etaImproved(day(11), eta)).toBe(true);
    expect(etaImproved(new Date(day(11).getTime() - 1), eta)).toBe(false);
    expect(etaImproved(day(9), eta)).toBe(false);
    expect(etaImproved(null, { source: EtaSource.ETA_SOURCE_UNKNOWN, purchaseOrderId: '' })).toBe(false);
  });
});
