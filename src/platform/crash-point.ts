/**
 * Test hook: when RESTOCK_CRASH_POINT names a step, the process kills itself with SIGKILL right there, so
 * crash tests can prove that a restart completes or compensates the work. Unset in production.
 */
export function crashPoint(point: string): void {
  if (process.env.RESTOCK_CRASH_POINT === point) process.kill(process.pid, 'SIGKILL');
}
