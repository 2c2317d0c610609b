import { connect as http2Connect, type Settings } from 'node:http2';
import { Client, connectivityState, credentials, status } from '@grpc/grpc-js';
import { grpcError, startTestApp, waitFor, type TestApp } from './support/harness';

let t: TestApp;
let address: string;
beforeAll(async () => {
  t = await startTestApp({ background: false, env: { GRPC_MAX_MESSAGE_BYTES: '65536', GRPC_IDLE_TIMEOUT_MS: '300', GRPC_MAX_CONCURRENT_STREAMS: '7' } });
  address = `127.0.0.1:${t.app.port}`;
});
afterAll(() => t.stop());

describe('connections', () => {
  it('refuses a message over GRPC_MAX_MESSAGE_BYTES with RESOURCE_EXHAUSTED, and still answers smaller ones', async () => {
    const product = { sku: 'BIG-1', name: 'x'.repeat(70_000), unitPrice: { currencyCode: 'EUR', units: 1, nanos: 0 } };
    expect(status[(await grpcError(t.inventory.upsertProduct({ product }))).code]).toBe('RESOURCE_EXHAUSTED');
    expect((await grpcError(t.inventory.getProduct({ sku: 'BIG-1' }))).code).toBe(status.NOT_FOUND);
  });

  it('closes a connection idle for GRPC_IDLE_TIMEOUT_MS: the client channel falls back to IDLE', async () => {
    const client = new Client(address, credentials.createInsecure());
    try {
      await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
      const channel = client.getChannel();
      expect(channel.getConnectivityState(false)).toBe(connectivityState.READY);
      await waitFor(() => channel.getConnectivityState(false) === connectivityState.IDLE, { what: 'the server to close the idle connection' });
    } finally {
      client.close();
    }
  });

  it('advertises GRPC_MAX_CONCURRENT_STREAMS in its HTTP/2 settings', async () => {
    const session = http2Connect(`http://${address}`);
    try {
      const settings = await new Promise<Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.maxConcurrentStreams).toBe(7);
    } finally {
      session.close();
    }
  });
});
