import { Client } from 'pg';
import { camelRows, typeParsers } from '../../src/platform/orm';

/**
 * Runs one statement ($1 placeholders) against a test database directly, for asserting on rows the API
 * does not show (outbox, ledger, invariants). Rows come back as the services read them: camelCased, typed.
 */
export async function query<T>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl, types: typeParsers });
  await client.connect();
  try {
    return camelRows<T>(await client.query(text, params));
  } finally {
    await client.end();
  }
}
