import { randomFillSync } from 'node:crypto';

const RANDOM_LIMIT = 1n << 74n;
const LOW_BITS = (1n << 62n) - 1n;
// Ids made in one millisecond step up by up to 2^48, so a neighbour's id is still 48 bits away from guessable.
const STEP_BITS = 48;

/** Random bits from the system CSPRNG, as a non-negative bigint below 2^bits. */
function randomBits(bits: number): bigint {
  const bytes = randomFillSync(Buffer.alloc(Math.ceil(bits / 8)));
  return BigInt(`0x${bytes.toString('hex')}`) & ((1n << BigInt(bits)) - 1n);
}

/**
 * A UUIDv7 source (RFC 9562): 48 bits of Unix milliseconds from clock, then 74 random bits. Ids from one
 * source sort as they were made: within a millisecond (or when the clock steps back) the random part grows
 * by a random step instead of starting afresh.
 */
export function uuidv7Source(clock: () => number = Date.now): () => string {
  let lastMs = -1;
  let lastRandom = 0n;
  return () => {
    let ms = clock();
    let random = randomBits(74);
    if (ms <= lastMs) {
      ms = lastMs;
      random = lastRandom + 1n + randomBits(STEP_BITS);
      if (random >= RANDOM_LIMIT) [ms, random] = [ms + 1, randomBits(74)];
    }
    [lastMs, lastRandom] = [ms, random];
    const value = (BigInt(ms) << 80n) | (0x7n << 76n) | ((random >> 62n) << 64n) | (0x2n << 62n) | (random & LOW_BITS);
    const hex = value.toString(16).padStart(32, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** A new UUIDv7 from the wall clock: unguessable, and later ids of this process sort after earlier ones. */
export const uuidv7 = uuidv7Source();
