import type { Clock } from '../platform/clock';
import type { Orm } from '../platform/orm';
import type { Task } from '../platform/scheduler';
import { refreshOverdueEtas } from './overdue';

/**
 * Every morning (06:00 UTC) recomputes customers' ETAs of the SKUs on overdue POs: nothing else happens to a PO
 * that just goes quiet past its date, so without this its customers would keep a date in the past.
 */
export function overdueEtasTask(orm: Orm, clock: Clock): Task {
  return {
    id: 'procurement.overdue-etas',
    schedule: '0 6 * * *',
    run: async () => {
      await refreshOverdueEtas(orm, clock);
    },
  };
}
