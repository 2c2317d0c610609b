import { ConfigError, loadConfig } from './platform/config';
import { startTracing } from './platform/tracing';

/** The composition root of a Restock process: configuration, tracing, then everything else, then signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`restock: ${error.message}\n`);
    process.exit(2);
  }
  // Before the app is loaded: the instrumentations patch @grpc/grpc-js and pg as they are first required,
  // so the app (and everything it imports) is required only now.
  const tracing = startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME });
  const { startApp } = require('./app') as typeof import('./app');
  const app = await startApp(config);
  app.log.info({ tracing: tracing ? { endpoint: tracing.endpoint, serviceName: tracing.serviceName } : 'off' }, tracing ? 'traces are exported' : 'tracing is off');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    app
      .stop()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`restock: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
