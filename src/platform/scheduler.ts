import cron from 'node-cron';
import { crashPoint } from './crash-point';
import { RetryBackoff, type DatabaseHealth } from './database-health';
import type { Logger } from './logger';
import { sqlOf, type Orm } from './orm';
import { claimTickAndEnqueue } from './scheduler.repository';
import { delivery, topic, type Delivery } from './topics';

/** Task is one piece of scheduled background work, declared by the service that owns it. */
export interface Task {
  id: string;
  /** Cron expression (UTC; 5 fields, or 6 with seconds first). */
  schedule: string;
  run(): Promise<void>;
}

/** A claimed tick of a task, waiting in the outbox to be run. */
export const RUN_TASK = topic<{ task: string; tick: string }>('scheduler.run-task');

/** A task with the database whose scheduler_tick table and outbox guard and carry its ticks. */
export interface ScheduledTask {
  task: Task;
  orm: Orm;
  schema: string;
}

/** The longest a task's ticks are skipped after its claims failed for want of the database. */
const MAX_CLAIM_BACKOFF_MS = 10_000;

/**
 * Fires each task on its schedule. Every replica's timer fires, but only the first one to claim a tick
 * in the database enqueues its run, in the same statement; the outbox then runs it (retrying a failure),
 * so a crash right after the claim loses nothing. While the database is unreachable, ticks are skipped: a
 * task whose claim failed skips its ticks for a while, longer after each failure in a row (capped), and
 * none is claimed while the database's health says it is down; the next tick after it is back claims again.
 */
export function startScheduler(entries: ScheduledTask[], log: Logger, database?: DatabaseHealth): { stop(): Promise<void> } {
  const jobs = entries.map(({ task, orm, schema }) => {
    const backoff = new RetryBackoff(1000, MAX_CLAIM_BACKOFF_MS);
    let retryAt = 0;
    return cron.schedule(
      task.schedule,
      async (context) => {
        if (Date.now() < retryAt || (database && !database.reachable)) return;
        const tick = new Date(Math.floor(context.date.getTime() / 1000) * 1000);
        try {
          if (await claimTickAndEnqueue(sqlOf(orm.em.fork()), schema, RUN_TASK.name, task.id, tick)) crashPoint(`scheduler.tick-claimed:${task.id}`);
          backoff.reset();
        } catch (error) {
          retryAt = Date.now() + backoff.next();
          if (!database?.report(error)) log.error({ task: task.id, err: error }, 'could not claim a scheduler tick');
        }
      },
      { name: task.id, noOverlap: true, timezone: 'Etc/UTC' },
    );
  });
  return {
    async stop() {
      await Promise.all(jobs.map((job) => job.destroy()));
    },
  };
}

/** The outbox delivery that runs a service's claimed ticks. */
export function taskRuns(tasks: Task[]): Delivery {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  return delivery(RUN_TASK, async ({ task }) => {
    const found = byId.get(task);
    if (!found) throw new Error(`no task ${task} in this service`);
    await found.run();
  });
}
