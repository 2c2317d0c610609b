import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, loadConfig, SERVICE_NAMES } from '../src/platform/config';

// No Docker engine runs on the build machines, so the compose file is checked against the code instead.
const compose = parse(readFileSync(path.resolve(__dirname, '../docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; ports?: string[] }>;
};
const restockServices = Object.entries(compose.services).filter(([, service]) => service.build === '.');
const known = Object.keys(configSchema.shape);

describe('docker-compose.yml', () => {
  it('runs postgres 18, a mail sink and every Restock service', () => {
    expect(compose.services.postgres.image).toBe('postgres:18');
    expect(compose.services.mailpit.image).toMatch(/^axllent\/mailpit/);
    expect(restockServices.flatMap(([, s]) => loadConfig(s.environment).SERVICES).sort()).toEqual([...SERVICE_NAMES].sort());
  });

  it.each(restockServices)('%s sets only variables the config knows, with valid values', (_name, service) => {
    const environment = service.environment ?? {};
    expect(Object.keys(environment).filter((variable) => !known.includes(variable))).toEqual([]);
    expect(() => loadConfig(environment)).not.toThrow();
  });

  it.each(restockServices)('%s reaches its peers, database and mail sink where they listen', (_name, service) => {
    const config = loadConfig(service.environment);
    for (const peer of SERVICE_NAMES.filter((name) => !config.SERVICES.includes(name))) {
      const address = config[`${peer.toUpperCase() as Uppercase<typeof peer>}_ADDR`];
      expect(address).toBeDefined();
      const [host, port] = address!.split(':');
      expect(loadConfig(compose.services[host]?.environment).GRPC_PORT).toBe(Number(port));
    }
    expect(new URL(config.DATABASE_URL!).host).toBe('postgres:5432');
    expect(new URL(config.SMTP_URL!).host).toBe('mailpit:1025');
    expect(service.ports).toEqual([`${config.GRPC_PORT}:${config.GRPC_PORT}`]);
  });
});
