import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has embedded defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ GRPC_HOST: '127.0.0.1', GRPC_PORT: 50051, DATA_DIR: './var', SERVICES: ['inventory', 'orders', 'procurement'] });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.MAIL_FROM).toBe('Restock Purchasing <purchasing@localhost>');
  });

  it('reads a topology and peer addresses', () => {
    const config = loadConfig({ SERVICES: 'orders, inventory', PROCUREMENT_ADDR: 'procurement:50051', GRPC_PORT: '6000' });
    expect(config.SERVICES).toEqual(['orders', 'inventory']);
    expect(config.PROCUREMENT_ADDR).toBe('procurement:50051');
    expect(config.GRPC_PORT).toBe(6000);
  });

  it('serves the console by default, on 8080, and only when SERVICES names it', () => {
    expect(loadConfig({})).toMatchObject({ CONSOLE: true, CONSOLE_PORT: 8080, OIDC_ROLES_CLAIM: 'roles' });
    expect(loadConfig({ SERVICES: 'console, procurement' })).toMatchObject({ SERVICES: ['procurement'], CONSOLE: true });
    expect(loadConfig({ SERVICES: 'orders' }).CONSOLE).toBe(false);
  });

  it('refuses an OIDC provider without its client, and a client without its provider', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.com' })).toThrow(/OIDC_ISSUER: needs OIDC_CLIENT_ID[\s\S]*OIDC_ISSUER: needs OIDC_CLIENT_SECRET/);
    expect(() => loadConfig({ OIDC_CLIENT_SECRET: 'x' })).toThrow(/OIDC_CLIENT_SECRET: needs OIDC_ISSUER/);
    expect(loadConfig({ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's' }).OIDC_ISSUER).toBe('https://id.example.com');
  });

  it('names every bad variable at once', () => {
    const bad = { GRPC_PORT: 'abc', SERVICES: 'orders,billing', DATABASE_URL: 'mysql://x', SMTP_URL: 'http://mail', ORDERS_ADDR: 'no-port' };
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    try {
      loadConfig(bad);
    } catch (error) {
      for (const name of Object.keys(bad)) expect((error as Error).message).toContain(name);
    }
  });

  it('refuses an outbox lease that a delivery could outlive', () => {
    expect(() => loadConfig({ OUTBOX_DELIVERY_TIMEOUT_MS: '60000', OUTBOX_LEASE_MS: '60000' })).toThrow(/OUTBOX_LEASE_MS: must be longer than OUTBOX_DELIVERY_TIMEOUT_MS/);
    expect(loadConfig({ OUTBOX_DELIVERY_TIMEOUT_MS: '1000', OUTBOX_LEASE_MS: '2000' }).OUTBOX_LEASE_MS).toBe(2000);
  });

  it('refuses a retention shorter than the outbox retry window', () => {
    expect(() => loadConfig({ RETENTION_DAYS: '1', OUTBOX_MAX_ATTEMPTS: '30' })).toThrow(/RETENTION_DAYS: must be longer than the outbox retry window/);
    expect(loadConfig({ RETENTION_DAYS: '2', OUTBOX_MAX_ATTEMPTS: '30' }).RETENTION_DAYS).toBe(2);
  });

  it('turns tracing on only with an http(s) OTLP endpoint', () => {
    expect(loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadConfig({}).OTEL_SERVICE_NAME).toBe('restock');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'restock-orders' })).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'restock-orders',
    });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
