import cron from 'node-cron';
import type { Logger } from './logger';
import { transaction, type Orm } from './orm';

/** Task is one piece of scheduled background work, declared by the service that owns it. */
export interface Task {
  id: string;
  /** Cron expression (UTC; 5 fields, or 6 with seconds first). */
  schedule: string;
  run(): Promise<void>;
}

/** A task with the database whose scheduler_tick table guards its ticks. */
export interface ScheduledTask {
  task: Task;
  orm: Orm;
  schema: string;
}

/**
 * Runs each task on its schedule. Every replica's timer fires, but only the first one to claim a tick in
 * the database runs it; errors are logged and the next tick runs as usual.
 */
export function startScheduler(entries: ScheduledTask[], log: Logger): { stop(): Promise<void> } {
  const jobs = entries.map(({ task, orm, schema }) =>
    cron.schedule(
      task.schedule,
      async (context) => {
        const tick = new Date(Math.floor(context.date.getTime() / 1000) * 1000);
        try {
          if (await claimTick(orm, schema, task.id, tick)) await task.run();
        } catch (error) {
          log.error({ task: task.id, err: error }, 'scheduled task failed');
        }
      },
      { name: task.id, noOverlap: true, timezone: 'Etc/UTC' },
    ),
  );
  return {
    async stop() {
      await Promise.all(jobs.map((job) => job.destroy()));
    },
  };
}

/** True for exactly one caller per (task, tick), whichever replica asks first. */
export function claimTick(orm: Orm, schema: string, taskId: string, tick: Date): Promise<boolean> {
  return transaction(orm, async (sql) => {
    const claimed = await sql(
      `INSERT INTO ${schema}.scheduler_tick (task, last_tick) VALUES (?, ?)
       ON CONFLICT (task) DO UPDATE SET last_tick = excluded.last_tick WHERE scheduler_tick.last_tick < excluded.last_tick
       RETURNING task`,
      [taskId, tick],
    );
    return claimed.length === 1;
  });
}
