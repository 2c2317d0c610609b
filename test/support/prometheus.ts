/** One sample line of the Prometheus text format. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its # TYPE and # HELP and its samples, in the order given. */
export interface PromFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parses Prometheus text exposition format 0.0.4 strictly: every sample follows the # TYPE of its family (a
 * histogram's `_bucket`, `_sum` and `_count` included), names and label names are valid, label values are
 * quoted with only \\ \" \n escapes, values are numbers (or +Inf, -Inf, NaN), no series appears twice, and each
 * histogram series has cumulative buckets up to le="+Inf" equal to its `_count`. Throws on anything else.
 */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const seen = new Set<string>();
  let current: PromFamily | undefined;
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) return; // a plain comment
      const [, keyword, name, rest] = meta;
      if (!NAME.test(name)) fail('bad metric name');
      let family = families.get(name);
      if (family && current !== family) fail(`${name} declared again after other families`);
      if (!family) {
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
      }
      if (family.samples.length > 0) fail(`# ${keyword} after samples of ${name}`);
      current = family;
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        family.type = rest as PromFamily['type'];
      } else {
        family.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      return;
    }
    const sample = parseSample(line, fail);
    if (!current || !belongsTo(sample.name, current)) fail(`sample outside the family it belongs to (current: ${current?.name ?? 'none'})`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail('the same series twice');
    seen.add(key);
    current!.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function belongsTo(sampleName: string, family: PromFamily): boolean {
  if (sampleName === family.name) return family.type !== 'histogram';
  const suffixes = family.type === 'histogram' ? ['_bucket', '_sum', '_count'] : family.type === 'summary' ? ['_sum', '_count'] : [];
  return suffixes.some((suffix) => sampleName === family.name + suffix);
}

function parseSample(line: string, fail: (why: string) => never): PromSample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? fail('no metric name');
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const labelName = /^[a-zA-Z0-9_]+/.exec(line.slice(at))?.[0] ?? fail('no label name');
      if (!LABEL_NAME.test(labelName)) fail(`bad label name ${labelName}`);
      if (labelName in labels) fail(`label ${labelName} twice`);
      at += labelName.length;
      if (line.slice(at, at + 2) !== '="') fail('label without ="');
      at += 2;
      let value = '';
      for (;;) {
        const c = line[at++];
        if (c === undefined) fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const escaped = line[at++];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else fail('bad escape in label value');
        } else value += c;
      }
      labels[labelName] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') fail('expected , or } after a label');
    }
    at++;
  }
  const rest = line.slice(at);
  const parts = /^ (\S+)(?: (-?\d+))?$/.exec(rest) ?? fail('expected " value [timestamp]"');
  return { name, labels, value: parseValue(parts[1], fail) };
}

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any letter case; prom-client writes "Nan"). */
function parseValue(text: string, fail: (why: string) => never): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

function checkHistogram(family: PromFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([le === '+Inf' ? Infinity : Number(le), sample.value]);
    } else if (sample.name.endsWith('_count')) entry.count = sample.value;
    else entry.sum = sample.value;
  }
  for (const [key, { buckets, count, sum }] of series) {
    const where = `${family.name}${key}`;
    if (count === undefined || sum === undefined) throw new Error(`${where}: no _count or _sum`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i][0] > buckets[i - 1][0])) throw new Error(`${where}: buckets not in increasing le order`);
      if (buckets[i][1] < buckets[i - 1][1]) throw new Error(`${where}: buckets not cumulative`);
    }
    const last = buckets[buckets.length - 1];
    if (!last || last[0] !== Infinity || last[1] !== count) throw new Error(`${where}: no le="+Inf" bucket equal to _count`);
  }
}

/** A parsed scrape with lookups that fail loudly. */
export class Scrape {
  constructor(readonly families: Map<string, PromFamily>) {}

  /** The samples named name (a family's or a histogram's _bucket/_sum/_count) whose labels include labels. */
  samples(name: string, labels: Record<string, string> = {}): PromSample[] {
    const family = this.families.get(name) ?? this.families.get(name.replace(/_(bucket|sum|count)$/, ''));
    if (!family) throw new Error(`no metric family ${name} in the scrape`);
    return family.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The value of the one sample named name whose labels include labels; throws if there is none or more than one. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples(name, labels);
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}, expected exactly one`);
    return found[0].value;
  }

  /** The value of the sample if there is exactly one, undefined if there is none. */
  maybe(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.samples(name, labels);
    if (found.length > 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
    return found[0]?.value;
  }

  type(name: string): PromFamily['type'] {
    const family = this.families.get(name);
    if (!family) throw new Error(`no metric family ${name} in the scrape`);
    return family.type;
  }
}

/** GETs url and parses the answer, which must be 200 with the text format's content type. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${text}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^text\/plain; version=0\.0\.4/.test(contentType)) throw new Error(`GET ${url}: content type ${contentType}`);
  return new Scrape(parsePrometheus(text));
}
