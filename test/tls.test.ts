import { readFileSync } from 'node:fs';
import { credentials, status } from '@grpc/grpc-js';
import { OrderStatus } from '../src/gen/restock/orders/v1/order';
import { certificateCaller } from '../src/platform/auth';
import { ConfigError, loadConfig } from '../src/platform/config';
import { makeTestCertificates, type PemPair, type TestCertificates } from './support/certs';
import { order, product } from './support/fixtures';
import { clientsOf, grpcError, startTestApp, TEST_ADMIN, waitFor, type Clients, type TestApp } from './support/harness';

let certs: TestCertificates;
const opened: Clients[] = [];
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  for (const client of opened.flatMap((set) => Object.values(set) as { close(): void }[])) client.close();
  await certs.remove();
});

/** Clients as clientsOf makes them, closed when the file is done. */
function clients(...args: Parameters<typeof clientsOf>): Clients {
  const more = clientsOf(...args);
  opened.push(more);
  return more;
}

/** Channel credentials that trust caFile and, when given, present a client certificate. */
function tls(caFile: string, client?: PemPair) {
  return credentials.createSsl(readFileSync(caFile), client ? readFileSync(client.key) : null, client ? readFileSync(client.cert) : null);
}

describe('a server with TLS_CERT_FILE and TLS_KEY_FILE', () => {
  let t: TestApp;
  let address: string;
  beforeAll(async () => {
    t = await startTestApp({ background: false, env: { TLS_CERT_FILE: certs.server.cert, TLS_KEY_FILE: certs.server.key } });
    address = `127.0.0.1:${t.app.port}`;
  });
  afterAll(() => t.stop());

  it('answers a client that trusts its CA', async () => {
    const { inventory } = clients(address, t.app.auth.tokens(TEST_ADMIN), tls(certs.caFile));
    await inventory.upsertProduct({ product: { sku: 'TLS-1', name: 'Over TLS', unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 } } });
    expect((await inventory.getStock({ sku: 'TLS-1' })).stock).toMatchObject({ sku: 'TLS-1', onHand: 0 });
  });

  it('answers a client at localhost, the other name of its certificate', async () => {
    const { inventory } = clients(`localhost:${t.app.port}`, t.app.auth.tokens(TEST_ADMIN), tls(certs.caFile));
    await expect(inventory.getProduct({ sku: 'TLS-1' })).resolves.toMatchObject({ product: { sku: 'TLS-1' } });
  });

  it('does not answer a plaintext client, nor one that trusts another CA', async () => {
    expect((await grpcError(t.inventory.getStock({ sku: 'TLS-1' }))).code).toBe(status.UNAVAILABLE);
    const { inventory } = clients(address, t.app.auth.tokens(TEST_ADMIN), tls(certs.otherCaFile));
    expect((await grpcError(inventory.getStock({ sku: 'TLS-1' }))).code).toBe(status.UNAVAILABLE);
  });
});

describe('a server with TLS_CLIENT_CA_FILE (mTLS), whose peers call it over TLS with a client certificate', () => {
  let t: TestApp;
  let address: string;
  let admin: Clients;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        TLS_CERT_FILE: certs.server.cert,
        TLS_KEY_FILE: certs.server.key,
        TLS_CLIENT_CA_FILE: certs.caFile,
        PEER_TLS_CA_FILE: certs.caFile,
        PEER_TLS_CERT_FILE: certs.client.cert,
        PEER_TLS_KEY_FILE: certs.client.key,
      },
    });
    address = `127.0.0.1:${t.app.port}`;
    admin = clients(address, t.app.auth.tokens(TEST_ADMIN), tls(certs.caFile, certs.client));
  });
  afterAll(() => t.stop());

  it('refuses the connection of a client without a certificate, even with a valid token', async () => {
    const { inventory } = clients(address, t.app.auth.tokens(TEST_ADMIN), tls(certs.caFile));
    expect((await grpcError(inventory.getProduct({ sku: 'ANY' }))).code).toBe(status.UNAVAILABLE);
  });

  it('refuses the connection of a client whose certificate another CA signed', async () => {
    const { inventory } = clients(address, t.app.auth.tokens(TEST_ADMIN), tls(certs.caFile, certs.strangerClient));
    expect((await grpcError(inventory.getProduct({ sku: 'ANY' }))).code).toBe(status.UNAVAILABLE);
  });

  it('takes a verified certificate without a token for the service role: service RPCs answer, others are PERMISSION_DENIED', async () => {
    await product({ ...t, ...admin }, 'MTLS-1', { onHand: 4 });
    const peer = clients(address, undefined, tls(certs.caFile, certs.client));
    expect((await peer.inventory.getStock({ sku: 'MTLS-1' })).stock).toMatchObject({ sku: 'MTLS-1', onHand: 4 });
    await expect(peer.procurement.recordDemand({ demandId: 'mtls-demand', sku: 'MTLS-1', quantity: 1 })).resolves.toBeDefined();
    const refused = await grpcError(peer.inventory.upsertProduct({ product: { sku: 'MTLS-2', name: 'Not for peers' } }));
    expect([status[refused.code], refused.reason]).toEqual(['PERMISSION_DENIED', 'ROLE_NOT_ALLOWED']);
    expect(refused.metadata).toMatchObject({ roles: 'service' });
  });

  it('lets a token, when sent, say who calls over a certificate', async () => {
    const storefront = clients(address, t.app.auth.tokens({ sub: 'shop', roles: ['storefront'] }), tls(certs.caFile, certs.client));
    await expect(storefront.inventory.getProduct({ sku: 'MTLS-1' })).resolves.toMatchObject({ product: { sku: 'MTLS-1' } });
    const refused = await grpcError(storefront.procurement.recordDemand({ demandId: 'shop-demand', sku: 'MTLS-1', quantity: 1 }));
    expect([status[refused.code], refused.metadata.roles]).toEqual(['PERMISSION_DENIED', 'storefront']);
    const forged = clients(address, () => Promise.resolve('not-a-token'), tls(certs.caFile, certs.client));
    expect(status[(await grpcError(forged.inventory.getStock({ sku: 'MTLS-1' }))).code]).toBe('UNAUTHENTICATED');
  });

  it('places an order whose reservation crosses to Inventory over mTLS, and records its backorder in Procurement', async () => {
    const tlsApp = { ...t, ...admin };
    await product(tlsApp, 'MTLS-3', { onHand: 2 });
    const { order: placed } = await order(tlsApp, [['MTLS-3', 5]], { customer: 'tls-customer' });
    expect(placed!.status).toBe(OrderStatus.ORDER_STATUS_AWAITING_STOCK);
    expect(placed!.lines[0]).toMatchObject({ allocatedQuantity: 2, backorderedQuantity: 3 });
    expect((await admin.inventory.getStock({ sku: 'MTLS-3' })).stock).toMatchObject({ onHand: 2, reserved: 2 });
    await waitFor(async () => (await admin.procurement.listUnassignedDemand({})).demands.some((demand) => demand.sku === 'MTLS-3' && demand.quantity === 3), {
      what: 'the backorder as demand in Procurement',
    });
  });
});

describe('TLS configuration', () => {
  it('names the variable a TLS setting is missing', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ TLS_CERT_FILE: certs.server.cert }, /TLS_CERT_FILE: needs TLS_KEY_FILE/],
      [{ TLS_KEY_FILE: certs.server.key }, /TLS_KEY_FILE: needs TLS_CERT_FILE/],
      [{ TLS_CLIENT_CA_FILE: certs.caFile }, /TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE/],
      [{ PEER_TLS_CERT_FILE: certs.client.cert, PEER_TLS_KEY_FILE: certs.client.key }, /PEER_TLS_CERT_FILE: needs PEER_TLS_CA_FILE/],
      [{ PEER_TLS_CA_FILE: certs.caFile, PEER_TLS_KEY_FILE: certs.client.key }, /PEER_TLS_KEY_FILE: needs PEER_TLS_CERT_FILE/],
      [{ TLS_CERT_FILE: `${certs.dir}/missing.pem`, TLS_KEY_FILE: certs.server.key }, /TLS_CERT_FILE: no readable file/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });

  it('maps a certificate to cert:<CN> with the service role', () => {
    const subject = (fields: object) => ({ subject: fields }) as Parameters<typeof certificateCaller>[0];
    expect(certificateCaller(subject({ CN: 'restock-orders', O: 'Restock' }))).toEqual({ sub: 'cert:restock-orders', roles: ['service'] });
    expect(certificateCaller(subject({ O: 'Restock', OU: ['a', 'b'] }))).toEqual({ sub: 'cert:O=Restock,OU=a+b', roles: ['service'] });
  });
});
