/** The steps a crash test can stop the process at. */
export type CrashPoint =
  | 'placement.pending-written'
  | 'placement.stock-reserved'
  | 'placement.finalized'
  | 'allocation.planned'
  | 'allocation.reserved'
  /** after a task (named after the colon) claimed its tick */
  | `scheduler.tick-claimed:${string}`;

/**
 * Test hook: when RESTOCK_CRASH_POINT names this step, the process kills itself with SIGKILL right there, so
 * crash tests can prove that a restart completes or compensates the work. Unset in production.
 */
export function crashPoint(point: CrashPoint): void {
  if (process.env.RESTOCK_CRASH_POINT === point) process.kill(process.pid, 'SIGKILL');
}
