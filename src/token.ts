import { parseArgs } from 'node:util';
import { createAuth } from './platform/auth';
import { ConfigError, loadConfig } from './platform/config';
import { ROLES, type Role } from './platform/roles';

const USAGE = 'usage: npm run token -- --role <role> [--role <role>…] --sub <name> [--ttl 8h]';
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Prints a bearer token (on the last line) signed with the server's HS256 secret: AUTH_JWT_SECRET, else the
 * one kept under DATA_DIR, generated here the same way the server would if it has not started yet.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, ttl: { type: 'string', default: '8h' } } });
  const roles = (values.role ?? []).flatMap((role) => role.split(',')).map((role) => role.trim());
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  const ttl = /^(\d+)([smhd])$/.exec(values.ttl);
  if (roles.length === 0 || unknown.length > 0 || !values.sub || !ttl || Number(ttl[1]) === 0) {
    const problem = unknown.length > 0 ? `unknown role ${unknown.join(', ')} (roles: ${ROLES.join(', ')})` : !ttl ? '--ttl is a number with s, m, h or d' : 'a role and a sub are required';
    process.stderr.write(`restock token: ${problem}\n${USAGE}\n`);
    process.exit(2);
  }
  const auth = await createAuth(loadConfig());
  process.stdout.write(`${await auth.mint({ sub: values.sub, roles: roles as Role[] }, Number(ttl[1]) * UNIT_SECONDS[ttl[2]])}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`restock token: ${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
