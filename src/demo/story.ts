/**
 * The demo's cast: suppliers, products and customers, drawn from a seeded PRNG so that every run tells the
 * same story. Pure data; src/demo/seed.ts plays it through the API.
 */

/** mulberry32: a small, fast, seeded PRNG (the same seed gives the same sequence on every machine). */
export function prng(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** How a supplier behaves once it has a PO: not part of the API, it is what the replay makes it do. */
export interface SupplierHabits {
  /** Share of POs it confirms (the others it just delivers). */
  confirmRate: number;
  /** Actual lead time = quoted × a factor drawn from [fastest, slowest]. */
  fastest: number;
  slowest: number;
  /** Share of POs delivered in two parts. */
  splitRate: number;
  /** Share of POs it cannot serve (we cancel them). */
  cancelRate: number;
  /** It confirms on the page the PO email links to; else by writing back, and a planner enters its answer. */
  answersThroughLink: boolean;
}

export interface DemoSupplier {
  supplierId: string;
  name: string;
  email: string;
  timeZone: string;
  currencyCode: string;
  quotedLeadTimeDays: number;
  policy: { minQuantity: number; minValue: number; releaseSchedule: string; maxWaitDays: number };
  /** Paused by a planner in the last week of the story, with a reason. */
  pausedLate?: string;
  /** A planner's policy change half-way through the story (the fields named), with a reason. */
  change?: { fields: Partial<DemoSupplier['policy']>; reason: string };
  habits: SupplierHabits;
}

const HABITS = {
  reliable: { confirmRate: 0.95, fastest: 0.8, slowest: 1.1, splitRate: 0.05, cancelRate: 0.01, answersThroughLink: true },
  steady: { confirmRate: 0.85, fastest: 0.9, slowest: 1.4, splitRate: 0.12, cancelRate: 0.03, answersThroughLink: true },
  erratic: { confirmRate: 0.6, fastest: 0.8, slowest: 2.2, splitRate: 0.25, cancelRate: 0.06, answersThroughLink: false },
} satisfies Record<string, SupplierHabits>;

const WEEKLY = '0 10 * * 1';

/** About twenty suppliers on four continents, each with its own rules. */
export const SUPPLIERS: DemoSupplier[] = [
  sup('nordwind', 'Nordwind Industriebedarf GmbH', 'Europe/Berlin', 'EUR', 7, { minQuantity: 400, schedule: WEEKLY }, 'reliable', {
    change: { fields: { minQuantity: 250 }, reason: 'Smaller, more frequent orders to cut backorder wait' },
  }),
  sup('atlantic-fasteners', 'Atlantic Fasteners Inc.', 'America/New_York', 'USD', 10, { minValue: 2500, schedule: '0 9 * * 2,4' }, 'steady'),
  sup('pacific-packaging', 'Pacific Packaging Co.', 'America/Los_Angeles', 'USD', 12, { minQuantity: 600, maxWaitDays: 10, schedule: '0 8 * * 3' }, 'steady'),
  sup('brightwell', 'Brightwell Electrical Ltd', 'Europe/London', 'GBP', 5, { schedule: '30 7 * * 1-5' }, 'reliable'),
  sup('kanto-precision', 'Kanto Precision Parts K.K.', 'Asia/Tokyo', 'USD', 21, { minValue: 8000, maxWaitDays: 14, schedule: '0 9 1,15 * *' }, 'reliable'),
  sup('lyon-outillage', 'Lyon Outillage SARL', 'Europe/Paris', 'EUR', 6, { minQuantity: 150, schedule: '0 11 * * 1,4' }, 'steady', {
    pausedLate: 'Supplier closed for annual stocktake until further notice',
  }),
  sup('maple-leaf', 'Maple Leaf Hardware', 'America/Toronto', 'USD', 9, { maxWaitDays: 7, schedule: '0 14 * * 5' }, 'erratic'),
  sup('southern-cross', 'Southern Cross Supplies Pty', 'Australia/Sydney', 'USD', 18, { minValue: 5000, schedule: '0 10 * * 1' }, 'erratic', {
    change: { fields: { maxWaitDays: 12 }, reason: 'Customers waited too long for slow movers' },
  }),
  sup('vistula', 'Vistula Metalworks Sp. z o.o.', 'Europe/Warsaw', 'EUR', 8, { minQuantity: 300, minValue: 3000, schedule: '0 9 * * 2' }, 'steady'),
  sup('rio-verde', 'Rio Verde Plásticos Ltda', 'America/Sao_Paulo', 'USD', 15, { maxWaitDays: 10, schedule: '0 10 * * 3' }, 'erratic'),
  sup('alpenland', 'Alpenland Werkzeuge AG', 'Europe/Zurich', 'EUR', 4, { minValue: 1500, schedule: '0 16 * * 1-5' }, 'reliable'),
  sup('midwest-bearing', 'Midwest Bearing & Belt', 'America/Chicago', 'USD', 7, { minQuantity: 200, schedule: WEEKLY }, 'steady', {
    change: { fields: { releaseSchedule: '0 10 * * 1,4' }, reason: 'Twice a week: the supplier now ships Thursdays too' },
  }),
  sup('brightstar', 'Shenzhen Brightstar Components', 'Asia/Shanghai', 'USD', 25, { minValue: 10000, maxWaitDays: 21, schedule: '0 9 * * 1' }, 'erratic'),
  sup('nordic-safety', 'Nordic Safety AB', 'Europe/Stockholm', 'EUR', 6, { minQuantity: 120, schedule: '0 8 * * 2,5' }, 'reliable'),
  sup('pune-castings', 'Pune Castings Pvt Ltd', 'Asia/Kolkata', 'USD', 20, { minQuantity: 500, maxWaitDays: 14, schedule: '0 11 * * 4' }, 'erratic', {
    pausedLate: 'Quality hold: castings failed incoming inspection',
  }),
  sup('iberia-embalajes', 'Iberia Embalajes S.L.', 'Europe/Madrid', 'EUR', 7, { minValue: 2000, schedule: '0 10 * * 2' }, 'steady'),
  sup('highland-adhesives', 'Highland Adhesives Ltd', 'Europe/London', 'GBP', 5, { maxWaitDays: 5, schedule: '0 9 * * 1,3,5' }, 'reliable'),
  sup('desert-sun', 'Desert Sun Lighting', 'America/Phoenix', 'USD', 11, { minQuantity: 250, schedule: '0 8 * * 1' }, 'steady'),
  sup('baltic-cable', 'Baltic Cable OÜ', 'Europe/Tallinn', 'EUR', 9, { minValue: 4000, maxWaitDays: 9, schedule: '0 12 * * 3' }, 'steady'),
  sup('cape-industrial', 'Cape Industrial Supply', 'Africa/Johannesburg', 'USD', 14, { schedule: '0 10 * * 1,4' }, 'erratic'),
];

function sup(
  slug: string,
  name: string,
  timeZone: string,
  currencyCode: string,
  quotedLeadTimeDays: number,
  rules: { minQuantity?: number; minValue?: number; maxWaitDays?: number; schedule: string },
  habits: keyof typeof HABITS,
  extra: Pick<DemoSupplier, 'pausedLate' | 'change'> = {},
): DemoSupplier {
  return {
    supplierId: `demo-${slug}`,
    name,
    email: `orders@${slug}.example`,
    timeZone,
    currencyCode,
    quotedLeadTimeDays,
    policy: { minQuantity: rules.minQuantity ?? 0, minValue: rules.minValue ?? 0, releaseSchedule: rules.schedule, maxWaitDays: rules.maxWaitDays ?? 0 },
    habits: HABITS[habits],
    ...extra,
  };
}

export interface DemoProduct {
  sku: string;
  name: string;
  /** Selling price and cost, in cents of the supplier's currency. */
  priceCents: number;
  costCents: number;
  currencyCode: string;
  packSize: number;
  minOrderQuantity: number;
  /** Units on hand at the start of the story. */
  onHand: number;
  /** Relative demand: fast movers sell several times as often as slow ones. */
  popularity: number;
  /** Most usual quantity a customer orders. */
  typicalQuantity: number;
  supplierId: string;
  /** A second supplier that also sells it (not preferred). */
  alternateSupplierId?: string;
}

// Product families: SKU prefix, name patterns, variants, pack sizes, cost range (cents).
const FAMILIES: { prefix: string; names: string[]; variants: string[]; packs: number[]; cost: [number, number] }[] = [
  { prefix: 'FAS', names: ['Hex bolt', 'Socket cap screw', 'Carriage bolt'], variants: ['M6×20', 'M8×40', 'M10×60', 'M12×80'], packs: [50, 100], cost: [4, 60] },
  { prefix: 'NUT', names: ['Hex nut', 'Nyloc nut', 'Flange nut'], variants: ['M6', 'M8', 'M10', 'M12'], packs: [100, 200], cost: [2, 20] },
  { prefix: 'WSH', names: ['Flat washer', 'Spring washer'], variants: ['M6', 'M8', 'M10', 'M12', 'M16'], packs: [100, 250], cost: [1, 10] },
  { prefix: 'BRG', names: ['Deep groove ball bearing', 'Pillow block bearing'], variants: ['6201-2RS', '6203-2RS', '6205-2RS', 'UCP204'], packs: [1, 10], cost: [180, 2400] },
  { prefix: 'BLT', names: ['V-belt', 'Timing belt'], variants: ['A32', 'A48', 'B56', 'HTD 5M-450'], packs: [1, 5], cost: [350, 1800] },
  { prefix: 'GLV', names: ['Nitrile gloves', 'Cut-resistant gloves'], variants: ['size S', 'size M', 'size L', 'size XL'], packs: [10, 12], cost: [90, 650] },
  { prefix: 'PPE', names: ['Safety glasses', 'Ear defenders', 'Hi-vis vest'], variants: ['clear', 'tinted', 'EN 352', 'class 2'], packs: [1, 10], cost: [250, 1900] },
  { prefix: 'TAP', names: ['Packing tape', 'Masking tape', 'Duct tape'], variants: ['48 mm × 66 m', '25 mm × 50 m', '50 mm × 25 m'], packs: [6, 36], cost: [80, 450] },
  { prefix: 'BOX', names: ['Shipping carton', 'Double-wall carton'], variants: ['300×200×150', '400×300×200', '600×400×400'], packs: [20, 25], cost: [60, 320] },
  { prefix: 'CBL', names: ['Cable tie', 'Heat-shrink tube', 'Flex cable'], variants: ['200 mm black', '300 mm UV', '3G1.5 10 m', '6.4 mm red'], packs: [10, 100], cost: [5, 2200] },
  { prefix: 'LMP', names: ['LED panel', 'LED tube', 'Work light'], variants: ['600×600 40 W', 'T8 1200 mm', '20 W IP65'], packs: [1, 4], cost: [900, 6500] },
  { prefix: 'ADH', names: ['Epoxy adhesive', 'Threadlocker', 'Contact cement'], variants: ['50 ml', '250 ml', '1 l'], packs: [6, 12], cost: [300, 2800] },
  { prefix: 'TLS', names: ['Combination spanner', 'Torque wrench', 'Hex key set', 'Drill bit'], variants: ['10 mm', '13 mm', '1/2" drive', 'HSS 8 mm'], packs: [1, 5], cost: [280, 9500] },
  { prefix: 'CST', names: ['Cast iron pulley', 'Ductile iron flange'], variants: ['Ø100', 'Ø160', 'DN50', 'DN80'], packs: [1, 2], cost: [1200, 7800] },
];

const GRADES = ['', ', stainless', ', heavy duty', ', economy', ', premium'];

/** 200 products, ten per supplier; every tenth also sold by a second supplier. */
export function demoProducts(count = 200): DemoProduct[] {
  const random = prng(20260101);
  const products: DemoProduct[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const family = FAMILIES[i % FAMILIES.length];
    const supplier = SUPPLIERS[i % SUPPLIERS.length];
    let sku: string;
    do sku = `${family.prefix}-${String(random.int(1000, 9999))}`;
    while (used.has(sku));
    used.add(sku);
    const plain = `${random.pick(family.names)} ${random.pick(family.variants)}`;
    const name = GRADES.map((grade) => plain + grade).find((candidate) => !used.has(candidate)) ?? `${plain} (${sku})`;
    used.add(name);
    const costCents = random.int(family.cost[0], family.cost[1]);
    const packSize = random.pick(family.packs);
    const cheap = costCents < 100;
    const popularity = random.chance(0.2) ? random.int(5, 10) : random.int(1, 3);
    products.push({
      sku,
      name,
      costCents,
      priceCents: Math.round(costCents * (1.4 + random.next() * 0.8)),
      currencyCode: supplier.currencyCode,
      packSize,
      minOrderQuantity: random.chance(0.35) ? packSize * random.int(2, 5) : 0,
      onHand: random.chance(0.3) ? 0 : random.int(2, 12) * (cheap ? 10 : 1),
      popularity,
      typicalQuantity: cheap ? random.pick([10, 20, 50]) : random.int(1, 4),
      supplierId: supplier.supplierId,
      alternateSupplierId: i % 10 === 3 ? SUPPLIERS[(i + 7) % SUPPLIERS.length].supplierId : undefined,
    });
  }
  return products;
}

/** Forty customers, a few of them VIPs. */
export const CUSTOMERS = Array.from({ length: 40 }, (_, i) => {
  const names = ['acme-works', 'baker-mfg', 'city-maintenance', 'delta-fab', 'evergreen-farms', 'fjord-marine', 'granite-build', 'harbor-logistics'];
  const id = `${names[i % names.length]}-${String(Math.floor(i / names.length) + 1)}`;
  return { customerId: id, email: `purchasing@${id}.example`, vip: i % 13 === 0, expedited: i % 5 === 1 };
});
