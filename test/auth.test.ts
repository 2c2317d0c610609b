import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { credentials, loadPackageDefinition, status, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { InventoryServiceDefinition } from '../src/gen/restock/inventory/v1/inventory_service';
import { ProcurementServiceDefinition } from '../src/gen/restock/procurement/v1/procurement_service';
import { createAuth, keptSecretFile } from '../src/platform/auth';
import { loadConfig } from '../src/platform/config';
import { connect } from '../src/platform/rpc';
import { DESCRIPTORS, mayCall, ROLES, RPC_ROLES, type Role } from '../src/platform/roles';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { healthStatus } from './support/process';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const ROOT = path.resolve(__dirname, '..');

let t: TestApp;
let address: string;
beforeAll(async () => {
  t = await startTestApp({ background: false, env: { AUTH_JWT_SECRET: SECRET } });
  address = `127.0.0.1:${t.app.port}`;
});
afterAll(() => t.stop());

type AnyClient = Record<string, (request: object) => Promise<unknown>>;
const SERVICE_NAMES = Object.keys(DESCRIPTORS) as (keyof typeof DESCRIPTORS)[];
const EVERY_RPC = SERVICE_NAMES.flatMap((service) =>
  Object.entries(DESCRIPTORS[service].methods).map(([key, method]) => ({ service, key, name: method.name, stream: (method as { responseStream?: boolean }).responseStream === true })),
);

/**
 * Calls any RPC with an empty request, as a promise; a server stream is asked from a cursor it refuses (so that
 * an allowed caller gets INVALID_ARGUMENT instead of a stream that stays open) and answers with its first message.
 */
function invoke(client: AnyClient, key: string, stream: boolean): Promise<unknown> {
  if (!stream) return client[key]({});
  return (async () => {
    for await (const response of client[key]({ cursor: 'not-a-cursor' }) as unknown as AsyncIterable<unknown>) return response;
  })();
}

/** The status code name a call answered with (OK when it succeeded). */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    return status[(error as { code: number }).code];
  }
}

/** Signs a token with the given key and claims. */
function signed(claims: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0] = new TextEncoder().encode(SECRET), alg = 'HS256', kid?: string) {
  return new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key);
}

describe('roles', () => {
  it.each(ROLES)('%s gets exactly the RPCs the table gives it, and PERMISSION_DENIED with ROLE_NOT_ALLOWED on the rest', async (role) => {
    const clients = t.clientsAs({ sub: `walk-${role}`, roles: [role] }) as unknown as Record<string, AnyClient>;
    const answers: Record<string, string> = {};
    for (const { service, key, name, stream } of EVERY_RPC) {
      const allowed = mayCall([role], RPC_ROLES[service][key as never]);
      const call = invoke(clients[service], key, stream);
      if (allowed) {
        answers[name] = await codeOf(call);
        expect([service, name, answers[name]]).not.toEqual([service, name, expect.stringMatching(/^(PERMISSION_DENIED|UNAUTHENTICATED)$/)]);
      } else {
        const error = await grpcError(call);
        expect([service, name, status[error.code], error.reason]).toEqual([service, name, 'PERMISSION_DENIED', 'ROLE_NOT_ALLOWED']);
        expect(error.metadata).toMatchObject({ rpc: `${DESCRIPTORS[service].fullName}/${name}`, roles: role });
      }
    }
  });

  it('has admin on every RPC and keeps the internal RPCs to service (and admin)', () => {
    for (const { service, key } of EVERY_RPC) expect(mayCall(['admin'], RPC_ROLES[service][key as never])).toBe(true);
    const internal = ['reserveStock', 'batchReserveStock', 'releaseStock', 'shipStock', 'receiveStock', 'applyReceipt', 'allocateStock', 'refreshEtas', 'recordDemand', 'cancelDemand'];
    for (const { service, key } of EVERY_RPC.filter((rpc) => internal.includes(rpc.key))) expect([key, RPC_ROLES[service][key as never]]).toEqual([key, ['service']]);
  });

  it('is the table the README shows', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const header = readme.split('\n').find((line) => line.startsWith('| RPC | '))!;
    const columns = header.split('|').slice(2, -1).map((cell) => cell.trim());
    expect(columns).toEqual([...ROLES]);
    const shown: Record<string, Role[]> = {};
    for (const line of readme.split('\n')) {
      const row = /^\| `(\w+)\/(\w+)` \|(.*)\|$/.exec(line);
      if (!row) continue;
      const cells = row[3].split('|').map((cell) => cell.trim());
      shown[`${row[1]}/${row[2]}`] = ROLES.filter((_, i) => cells[i] === '✓');
    }
    const inCode = Object.fromEntries(
      EVERY_RPC.map(({ service, key, name }) => [`${DESCRIPTORS[service].fullName.split('.').pop()}/${name}`, ROLES.filter((role) => mayCall([role], RPC_ROLES[service][key as never]))]),
    );
    expect(shown).toEqual(inCode);
  });
});

describe('tokens', () => {
  it('refuses every RPC without a token with UNAUTHENTICATED', async () => {
    const clients = t.clientsAs(null) as unknown as Record<string, AnyClient>;
    for (const { service, key, name, stream } of EVERY_RPC) {
      const error = await grpcError(invoke(clients[service], key, stream));
      expect([name, status[error.code], error.reason]).toEqual([name, 'UNAUTHENTICATED', 'TOKEN_MISSING']);
    }
  });

  it('refuses expired, wrongly signed and malformed tokens with UNAUTHENTICATED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const admin = { sub: 'mallory', roles: ['admin'] };
    const cases: [string, string, string][] = [
      ['expired', await signed({ ...admin, exp: now - 60 }), 'TOKEN_EXPIRED'],
      ['wrong secret', await signed({ ...admin, exp: now + 60 }, new TextEncoder().encode('another-secret-of-at-least-thirty-two-bytes')), 'TOKEN_INVALID'],
      ['altered', (await signed({ ...admin, exp: now + 60 })).replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...admin, sub: 'eve', exp: now + 60 })).toString('base64url')}.`), 'TOKEN_INVALID'],
      ['not a JWT', 'not-a-token', 'TOKEN_INVALID'],
      ['unsigned', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...admin, exp: now + 60 })).toString('base64url')}.`, 'TOKEN_INVALID'],
      ['without exp', await signed(admin), 'TOKEN_INVALID'],
      ['without sub', await signed({ roles: ['admin'], exp: now + 60 }), 'TOKEN_INVALID'],
      ['roles not an array', await signed({ sub: 'x', roles: 'admin', exp: now + 60 }), 'TOKEN_INVALID'],
    ];
    for (const [what, token, reason] of cases) {
      const inventory = connect(InventoryServiceDefinition, address, () => token);
      const error = await grpcError(inventory.getStock({ sku: 'X' }));
      inventory.close();
      expect([what, status[error.code], error.reason]).toEqual([what, 'UNAUTHENTICATED', reason]);
    }
  });

  it('refuses a valid token without a known role with PERMISSION_DENIED', async () => {
    const { inventory } = t.clientsAs({ sub: 'nobody', roles: [] });
    const error = await grpcError(inventory.getStock({ sku: 'X' }));
    expect([status[error.code], error.reason]).toEqual(['PERMISSION_DENIED', 'ROLE_NOT_ALLOWED']);
  });

  it('answers health checks without a token', async () => {
    expect(await healthStatus(address)).toBe('SERVING');
  });
});

describe('identity providers', () => {
  it('accepts ES256 tokens of AUTH_JWKS_FILE and HS256 tokens of the secret, checking AUTH_ISSUER and AUTH_AUDIENCE', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'restock-jwks-'));
    const jwksFile = path.join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }));
    const idp = await startTestApp({ background: false, env: { AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'restock' } });
    try {
      const idpAddress = `127.0.0.1:${idp.app.port}`;
      const exp = Math.floor(Date.now() / 1000) + 60;
      const good = { sub: 'alice', roles: ['warehouse'], exp, iss: 'https://idp.example', aud: 'restock' };
      const answer = async (token: string) => {
        const inventory = connect(InventoryServiceDefinition, idpAddress, () => token);
        try {
          return await codeOf(inventory.getStock({ sku: 'NONE' }));
        } finally {
          inventory.close();
        }
      };
      expect(await answer(await signed(good, privateKey, 'ES256', 'k1'))).toBe('NOT_FOUND');
      expect(await answer(await signed({ ...good, iss: 'https://other.example' }, privateKey, 'ES256', 'k1'))).toBe('UNAUTHENTICATED');
      expect(await answer(await signed({ ...good, aud: 'other' }, privateKey, 'ES256', 'k1'))).toBe('UNAUTHENTICATED');
      // The harness's admin clients use the kept HS256 secret (as peers do), minted with the issuer and audience.
      expect((await idp.inventory.getStock({ sku: 'NONE' }).catch((error: { code: number }) => status[error.code]))).toBe('NOT_FOUND');
    } finally {
      await idp.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('reflection', () => {
  it('is off with GRPC_REFLECTION=false', async () => {
    const off = await startTestApp({ background: false, env: { GRPC_REFLECTION: 'false' } });
    try {
      const definition = loadSync(require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), { keepCase: true });
      const reflection = (loadPackageDefinition(definition).grpc as GrpcObject).reflection as GrpcObject;
      const Reflection = (reflection.v1 as GrpcObject).ServerReflection as ServiceClientConstructor;
      const client = new Reflection(`127.0.0.1:${off.app.port}`, credentials.createInsecure());
      const code = await new Promise<number>((resolve) => {
        const call = client.ServerReflectionInfo();
        call.on('error', (error: { code: number }) => resolve(error.code));
        call.on('data', () => resolve(status.OK));
        call.write({ list_services: '' });
      });
      client.close();
      expect(status[code]).toBe('UNIMPLEMENTED');
    } finally {
      await off.stop();
    }
  });
});

describe('with no key configured', () => {
  it('generates a secret in DATA_DIR with mode 0600 on first use and reuses it after', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'restock-secret-'));
    try {
      const first = await createAuth(loadConfig({ DATA_DIR: dataDir }));
      const file = keptSecretFile(dataDir);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const kept = readFileSync(file, 'utf8');
      const token = await first.mint({ sub: 'me', roles: ['admin'] }, 60);
      const again = await createAuth(loadConfig({ DATA_DIR: dataDir }));
      expect(readFileSync(file, 'utf8')).toBe(kept);
      expect(await again.verify(`Bearer ${token}`)).toEqual({ sub: 'me', roles: ['admin'] });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('`npm run token` prints a token on its last line that the server accepts, from the secret it kept first', async () => {
    const app = await startTestApp({ background: false });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/token.ts', '--role', 'planner', '--sub', 'pat', '--ttl', '10m'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATA_DIR: app.dataDir },
      });
      const token = stdout.trim().split('\n').pop()!;
      const procurement = connect(ProcurementServiceDefinition, `127.0.0.1:${app.app.port}`, () => token);
      expect((await procurement.listSuppliers({})).suppliers).toEqual([]);
      procurement.close();
      expect(await app.app.auth.verify(`Bearer ${token}`)).toEqual({ sub: 'pat', roles: ['planner'] });
    } finally {
      await app.stop();
    }
  });
});
