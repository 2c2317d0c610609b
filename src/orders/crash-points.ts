/**
 * Test hook: when RESTOCK_CRASH_POINT names a step, the process kills itself with SIGKILL right there,
 * so crash tests can prove that a restart completes or compensates the work. Unset in production.
 */
export type CrashPoint = 'placement.pending-written' | 'placement.stock-reserved' | 'placement.finalized' | 'allocation.planned' | 'allocation.reserved';

/** Dies on the spot if RESTOCK_CRASH_POINT names this point. */
export function crashPoint(point: CrashPoint): void {
  if (process.env.RESTOCK_CRASH_POINT === point) process.kill(process.pid, 'SIGKILL');
}
