import { uuidv7, uuidv7Source } from './uuidv7';

const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisecondsOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
const randomPartOf = (id: string) => BigInt(`0x${id.replace(/-/g, '').slice(13)}`);

describe('uuidv7', () => {
  it('has the UUIDv7 shape (version 7, RFC variant) and carries the clock in milliseconds', () => {
    const id = uuidv7Source(() => Date.UTC(2026, 10, 25, 12, 0, 0, 123))();
    expect(id).toMatch(SHAPE);
    expect(millisecondsOf(id)).toBe(Date.UTC(2026, 10, 25, 12, 0, 0, 123));
    expect(uuidv7()).toMatch(SHAPE);
  });

  it('sorts in the order made, within one millisecond too, and never repeats', () => {
    const next = uuidv7Source(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5_000 }, next);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => SHAPE.test(id))).toBe(true);
  });

  it('leaves consecutive ids far apart: no id is its neighbour plus one', () => {
    const next = uuidv7Source(() => 1_700_000_000_000);
    const ids = Array.from({ length: 1_000 }, next);
    const gaps = ids.slice(1).map((id, i) => randomPartOf(id) - randomPartOf(ids[i]));
    expect(gaps.every((gap) => gap > 1n)).toBe(true);
    expect(gaps.filter((gap) => gap > 1n << 40n).length).toBeGreaterThan(990);
  });

  it('differs in its random bits between two ids of different milliseconds', () => {
    let now = 1_700_000_000_000;
    const next = uuidv7Source(() => now++);
    const [a, b] = [next(), next()];
    expect(millisecondsOf(b) - millisecondsOf(a)).toBe(1);
    expect(a.slice(14)).not.toBe(b.slice(14));
  });

  it('keeps sorting when the clock steps back', () => {
    const times = [2_000, 1_000, 1_500, 2_500];
    const next = uuidv7Source(() => times.shift()!);
    const ids = [next(), next(), next(), next()];
    expect([...ids].sort()).toEqual(ids);
    expect(millisecondsOf(ids[1])).toBe(2_000);
    expect(millisecondsOf(ids[3])).toBe(2_500);
  });
});
