import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Logger } from './logger';
import { sqlOf, type Orm } from './orm';
import { outboxFigures } from './outbox.repository';
import { lastTicks } from './scheduler.repository';

/** Latency buckets of RPCs, in seconds: 1 ms to 30 s. */
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A collector that has not answered after this long counts as failed, so a scrape never hangs on a dead database. */
const COLLECT_TIMEOUT_MS = 5_000;

/** Records one finished call: its gRPC status code and how long it took, in seconds. */
export type CallObserver = (code: status, seconds: number) => void;

/** One series of RPC calls (service, method, code): its count, the sum of its latencies and its latency buckets. */
interface CallSeries {
  labels: Labels;
  count: number;
  sum: number;
  /** Calls per bucket, not cumulative; the last one counts calls above the largest bound. */
  buckets: Float64Array;
}

/**
 * Per-RPC counts and latency histograms, server and client side, labelled service, method and code. An
 * observer is made once per method (bindHandlers, connect) and holds the series of each code it has seen, so
 * recording a call is a few additions: no label lookup, no hashing (prom-client's own Counter and Histogram
 * hash the labels on every update, about 1 µs a call). The registry renders the series at scrape time through
 * the counter and histogram families registered here.
 */
export class RpcMetrics {
  private readonly series: Record<'server' | 'client', CallSeries[]> = { server: [], client: [] };

  constructor(registry: Registry) {
    const help = {
      server: {
        handled: 'RPCs this process answered, by service, method and gRPC status code.',
        seconds: 'Time from receiving an RPC to answering it (authorisation, checks, handler), by service, method and status code.',
      },
      client: {
        handled: 'RPCs this process made to services (its peers, possibly itself), by service, method and the gRPC status code it got.',
        seconds: 'Time from starting an RPC to its answer as the caller sees it (token, network, retries), by service, method and status code.',
      },
    };
    for (const side of ['server', 'client'] as const) {
      const series = this.series[side];
      const counter = `restock_grpc_${side}_handled_total`;
      const histogram = `restock_grpc_${side}_handling_seconds`;
      register(registry, counter, help[side].handled, 'counter', () => series.map(({ labels, count }) => ({ labels, value: count })));
      register(registry, histogram, help[side].seconds, 'histogram', () =>
        series.flatMap(({ labels, count, sum, buckets }) => {
          let cumulative = 0;
          return [
            ...RPC_BUCKET_LABELS.map((le, i) => ({ metricName: `${histogram}_bucket`, labels: { ...labels, le }, value: (cumulative += buckets[i]) })),
            { metricName: `${histogram}_sum`, labels, value: sum },
            { metricName: `${histogram}_count`, labels, value: count },
          ];
        }),
      );
    }
  }

  /** The observer of one method's calls, on the server or the client side. */
  observer(side: 'server' | 'client', service: string, method: string): CallObserver {
    const all = this.series[side];
    const byCode: (CallSeries | undefined)[] = [];
    return (code, seconds) => {
      let series = byCode[code];
      if (!series) {
        series = { labels: { service, method, code: status[code] ?? String(code) }, count: 0, sum: 0, buckets: new Float64Array(RPC_BUCKETS.length + 1) };
        byCode[code] = series;
        all.push(series);
      }
      let bucket = 0;
      while (bucket < RPC_BUCKETS.length && seconds > RPC_BUCKETS[bucket]) bucket++;
      series.buckets[bucket]++;
      series.count++;
      series.sum += seconds;
    };
  }
}

const RPC_BUCKET_LABELS = [...RPC_BUCKETS.map(String), '+Inf'];

/**
 * Registers a family whose samples values() gives at scrape time. The registry renders any object with
 * prom-client's metric shape (name, help, type, aggregator, get, reset); Metric's type is the class, hence the cast.
 */
function register(registry: Registry, name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: () => { metricName?: string; labels: Labels; value: number }[]): void {
  const family = {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({ name, help, type, aggregator: 'sum' as const, values: values() }),
    reset: () => undefined,
  };
  registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
}

export type Labels = Record<string, string>;

/** A gauge whose values collectors give at each scrape. */
export interface ScrapedGauge {
  readonly name: string;
  readonly labelNames: readonly string[];
}

/** One value of a gauge read at scrape time. */
export interface Sample {
  gauge: ScrapedGauge;
  labels?: Labels;
  value: number;
}

/** What a service module may register: gauges whose values one query per scrape reads. */
export interface ScrapeMetrics {
  /** A gauge set only by collectors: at every scrape its samples are replaced by what they returned. */
  gauge(name: string, help: string, labelNames?: readonly string[]): ScrapedGauge;
  /**
   * Runs collect at every scrape (all collectors at once); its samples set the gauges. A collector that fails
   * or takes longer than 5 s leaves its gauges without values and `restock_metrics_collector_up{collector}` at 0.
   */
  onScrape(collector: string, collect: () => Promise<Sample[]>): void;
}

let processRegistry: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, event loop, GC), registered once per process: they are the same for
 * every app in it, and each registration starts an event-loop monitor and a GC observer that cannot be stopped.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'restock_' });
  }
  return processRegistry;
}

/**
 * One app's metrics: its own registry (never prom-client's global one, so that several apps can run in one
 * process without sharing series), with the RPC metrics and the gauges read at scrape time; a scrape shows the
 * process metrics too.
 */
export class Metrics implements ScrapeMetrics {
  readonly registry = new Registry();
  readonly rpc: RpcMetrics;
  private readonly collectors = new Map<string, () => Promise<Sample[]>>();
  private readonly collectorUp: Gauge<'collector'>;
  /** The samples of the last scrape, by gauge. */
  private samples = new Map<ScrapedGauge, Sample[]>();
  private readonly down = new Set<string>();

  constructor(readonly log: Logger) {
    processMetrics();
    this.rpc = new RpcMetrics(this.registry);
    this.collectorUp = new Gauge({
      name: 'restock_metrics_collector_up',
      help: 'Whether a collector of scrape-time gauges answered at the last scrape (1) or failed or timed out (0, its gauges are left out).',
      labelNames: ['collector'],
      registers: [this.registry],
    });
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): ScrapedGauge {
    const gauge: ScrapedGauge = { name, labelNames };
    register(this.registry, name, help, 'gauge', () => (this.samples.get(gauge) ?? []).map(({ labels = {}, value }) => ({ labels, value })));
    return gauge;
  }

  onScrape(collector: string, collect: () => Promise<Sample[]>): void {
    if (this.collectors.has(collector)) throw new Error(`metrics collector ${collector} is registered twice`);
    this.collectors.set(collector, collect);
  }

  /** Runs every collector, then renders the process metrics and the registry in Prometheus text format. */
  async scrape(): Promise<string> {
    const results = await Promise.all(
      [...this.collectors].map(async ([name, collect]) => {
        try {
          const samples = await withTimeout(collect(), COLLECT_TIMEOUT_MS, name);
          for (const sample of samples) checkLabels(sample);
          if (this.down.delete(name)) this.log.info({ collector: name }, 'metrics collector answers again');
          return { name, samples };
        } catch (error) {
          // one line per change of state, not one per scrape
          if (!this.down.has(name)) this.log.warn({ collector: name, err: error }, 'metrics collector failed; its gauges are left out until it answers');
          this.down.add(name);
          return { name, samples: [] };
        }
      }),
    );
    // Replaced in one step, so a concurrent scrape never renders half of one scrape's values.
    const samples = new Map<ScrapedGauge, Sample[]>();
    for (const { name, samples: collected } of results) {
      this.collectorUp.set({ collector: name }, this.down.has(name) ? 0 : 1);
      for (const sample of collected) {
        const of = samples.get(sample.gauge);
        if (of) of.push(sample);
        else samples.set(sample.gauge, [sample]);
      }
    }
    this.samples = samples;
    const [processText, own] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return `${processText}\n${own}`;
  }
}

/** Throws unless the sample has exactly its gauge's labels. */
function checkLabels({ gauge, labels = {} }: Sample): void {
  const names = Object.keys(labels);
  if (names.length !== gauge.labelNames.length || !gauge.labelNames.every((name) => typeof labels[name] === 'string')) {
    throw new Error(`${gauge.name} has the labels ${gauge.labelNames.join(', ') || 'none'}, a sample came with ${names.join(', ') || 'none'}`);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A service as the platform gauges see it: its name, schema, ORM and the outbox topics it delivers. */
export interface MeasuredService {
  name: string;
  schema: string;
  orm: Orm;
  /** Shown (at 0) even when none of their messages waits, so that their series do not come and go. */
  topics: string[];
}

/** The gauges every service has: its outbox (per topic), its scheduled tasks' last runs and its database pool. */
export function platformGauges(metrics: Metrics, services: MeasuredService[]): void {
  const messages = metrics.gauge('restock_outbox_messages', 'Outbox messages not delivered, by service, topic and state: pending (waiting), in_flight (leased to a dispatcher) or dead (given up).', [
    'service',
    'topic',
    'state',
  ]);
  const oldest = metrics.gauge('restock_outbox_oldest_pending_age_seconds', 'Age of the oldest pending or in-flight outbox message, by service and topic.', ['service', 'topic']);
  const lastRun = metrics.gauge('restock_scheduler_last_run_timestamp_seconds', 'When a scheduled task last ran (its last claimed tick, Unix time), by service and task.', ['service', 'task']);
  for (const { name: service, schema, orm, topics } of services) {
    const idle = (topic: string) => ({ topic, pending: 0, inFlight: 0, dead: 0, oldestPendingSeconds: 0 });
    metrics.onScrape(`${service}.outbox`, async () => {
      const figures = new Map(topics.map((topic) => [topic, idle(topic)]));
      for (const row of await outboxFigures(sqlOf(orm.em.fork()), schema)) figures.set(row.topic, row);
      return [...figures.values()].flatMap(({ topic, pending, inFlight, dead, oldestPendingSeconds }): Sample[] => [
        { gauge: messages, labels: { service, topic, state: 'pending' }, value: pending },
        { gauge: messages, labels: { service, topic, state: 'in_flight' }, value: inFlight },
        { gauge: messages, labels: { service, topic, state: 'dead' }, value: dead },
        { gauge: oldest, labels: { service, topic }, value: oldestPendingSeconds },
      ]);
    });
    metrics.onScrape(`${service}.scheduler`, async () =>
      (await lastTicks(sqlOf(orm.em.fork()), schema)).map(({ task, lastTick }) => ({ gauge: lastRun, labels: { service, task }, value: lastTick.getTime() / 1000 })),
    );
  }
  poolGauges(
    metrics,
    services.map(({ name, orm }) => [name, orm]),
  );
}

/**
 * Gauges of each service's database pool, read from the pool itself at scrape time: connections in use, idle,
 * the pool's size, and callers waiting for a connection.
 */
export function poolGauges(metrics: Metrics, orms: [service: string, orm: Orm][]): void {
  const pools = () => orms.map(([service, orm]) => [service, orm.em.getConnection().getKnex().client.pool as TarnPool | undefined] as const);
  const gauge = (name: string, help: string, read: (pool: TarnPool) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['service'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [service, pool] of pools()) if (pool) this.set({ service }, read(pool));
      },
    });
  gauge('restock_db_pool_connections_in_use', 'Database connections a service has checked out of its pool.', (pool) => pool.numUsed());
  gauge('restock_db_pool_connections_idle', 'Open database connections idle in a service’s pool.', (pool) => pool.numFree());
  gauge('restock_db_pool_connections_max', 'The most connections a service’s pool opens (DB_POOL_SIZE).', (pool) => pool.max);
  gauge('restock_db_pool_waiting_callers', 'Callers waiting for a connection of a service’s pool.', (pool) => pool.numPendingAcquires());
}

/** The part of a tarn pool (knex's) that the pool gauges read. */
interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** Serves GET /metrics in Prometheus text format on host:port (0: a free port). */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    metrics.scrape().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        metrics.log.error({ err: error }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
