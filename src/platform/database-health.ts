import { Client } from 'pg';
import { isDatabaseUnavailable } from './errors';
import type { Logger } from './logger';

export interface DatabaseHealthOptions {
  url: string;
  log: Logger;
  /** How often the database is probed (and how soon after an error a loop reports). */
  intervalMs: number;
  /** A probe not answered within this long (connect and SELECT 1) counts as the database unreachable. */
  timeoutMs: number;
}

/**
 * Whether one database can be reached, as this process sees it. A probe runs `SELECT 1` every intervalMs on
 * a connection of its own, outside the services' pools, so a busy pool does not read as an outage; the probe
 * alone decides the state, so a change is logged once ("database unreachable", "database reachable again"),
 * not once per failed statement. Loops and calls that meet a connection error report it, which probes at
 * once instead of at the next interval.
 */
export class DatabaseHealth {
  private state = true;
  private since = Date.now();
  private client: Client | null = null;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<boolean> | null = null;
  private running = false;
  private readonly listeners: ((reachable: boolean) => void)[] = [];

  constructor(private readonly options: DatabaseHealthOptions) {}

  /** True until a probe fails (the process starts on a database it just migrated). */
  get reachable(): boolean {
    return this.state;
  }

  /** Calls listener with the new state on every change. */
  onChange(listener: (reachable: boolean) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.running = true;
    this.schedule(this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.probing;
    await this.disconnect();
  }

  /**
   * What a loop or a call does with an error it met: true when it says the database cannot be reached (a probe
   * then runs at once, and logs the change if there is one), false for any other error, which the caller logs.
   */
  report(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    if (this.running) void this.probe();
    return true;
  }

  /** Probes now (or joins the probe under way); resolves to whether the database answered. */
  probe(): Promise<boolean> {
    this.probing ??= this.check().finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.probe().finally(() => this.schedule(this.options.intervalMs));
    }, ms);
    this.timer.unref();
  }

  private async check(): Promise<boolean> {
    let failure: unknown;
    try {
      this.client ??= await this.connect();
      await this.client.query('SELECT 1');
    } catch (error) {
      failure = error;
      await this.disconnect();
    }
    this.change(failure === undefined, failure);
    return failure === undefined;
  }

  private async connect(): Promise<Client> {
    const { url, timeoutMs } = this.options;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'restock health probe' });
    // an idle connection the server drops emits 'error': the database is gone, or going; look now
    client.on('error', () => {
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      if (this.running) void this.probe();
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private change(reachable: boolean, failure: unknown): void {
    if (reachable === this.state) return;
    const { log } = this.options;
    const ms = Date.now() - this.since;
    this.state = reachable;
    this.since = Date.now();
    if (reachable) log.info({ database: redacted(this.options.url), downMs: ms }, 'database reachable again');
    else log.warn({ database: redacted(this.options.url), error: failure instanceof Error ? failure.message : String(failure) }, 'database unreachable');
    for (const listener of this.listeners) listener(reachable);
  }
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

/**
 * The waits of a loop whose work keeps failing: from initialMs, doubling up to maxMs, each with ±25 % jitter
 * so that loops of several processes do not hit a database that comes back all at once.
 */
export class RetryBackoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  /** The wait after one more failure in a row. */
  next(): number {
    const base = Math.min(this.initialMs * 2 ** this.failures, this.maxMs);
    this.failures++;
    return Math.round(base * (0.75 + Math.random() / 2));
  }

  /** The work succeeded: the next failure waits initialMs again. */
  reset(): void {
    this.failures = 0;
  }

  /** How many failures in a row so far. */
  get count(): number {
    return this.failures;
  }
}
