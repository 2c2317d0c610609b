import { ident, type Sql } from './orm';

/**
 * Claims (task, tick) and enqueues its run as an outbox message of topic, in one statement: true for
 * exactly one caller per tick, whichever replica asks first, and a claimed tick's run is never lost.
 */
export async function claimTickAndEnqueue(sql: Sql, schema: string, topic: string, taskId: string, tick: Date): Promise<boolean> {
  const s = ident(schema);
  const claimed = await sql(
    `WITH claimed AS (
       INSERT INTO ${s}.scheduler_tick (task, last_tick) VALUES (?, ?)
       ON CONFLICT (task) DO UPDATE SET last_tick = excluded.last_tick WHERE scheduler_tick.last_tick < excluded.last_tick
       RETURNING task, last_tick)
     INSERT INTO ${s}.outbox (topic, dedupe_key, payload)
     SELECT ?, 'task:' || task || ':' || to_char(last_tick AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            jsonb_build_object('task', task, 'tick', last_tick)
     FROM claimed
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [taskId, tick, topic],
  );
  return claimed.length === 1;
}

/** When each task of schema last ran: the time of its last claimed tick (its run was enqueued with the claim). */
export function lastTicks(sql: Sql, schema: string): Promise<{ task: string; lastTick: Date }[]> {
  return sql<{ task: string; lastTick: Date }>(`SELECT task, last_tick FROM ${ident(schema)}.scheduler_tick ORDER BY task`);
}
