import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import type { Task } from '../platform/scheduler';
import { evaluateBuffers } from './buffers';

/**
 * Evaluates every supplier buffer on each scheduler tick (SCHEDULER_TICK): schedules that came due,
 * max waits that ran out, and thresholds missed by a crash between a demand's commit and its check.
 */
export function evaluateBuffersTask(orm: Orm, clock: Clock, schedule: string): Task {
  return {
    id: 'procurement.evaluate-buffers',
    schedule,
    run: async () => {
      await evaluateBuffers(orm, { asOf: clock.now() });
    },
  };
}
