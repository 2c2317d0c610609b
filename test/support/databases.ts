import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** adminUrl with another database name. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.RESTOCK_TEST_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new database cloned from the migrated template; its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `restock_t_${process.env.RESTOCK_TEST_RUN}_${randomBytes(4).toString('hex')}`;
  const template = process.env.RESTOCK_TEST_TEMPLATE!;
  await withAdmin(async (client) => {
    // Two clones at once may find the template busy for a moment; try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  return databaseUrl(process.env.RESTOCK_TEST_ADMIN_URL!, name);
}

/** Drops every database this test run created, template included. */
export async function dropTestDatabases(): Promise<void> {
  await withAdmin(async (client) => {
    const run = process.env.RESTOCK_TEST_RUN;
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2',
      [`restock_t_${run}_%`, `restock_tpl_${run}`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
  });
}
