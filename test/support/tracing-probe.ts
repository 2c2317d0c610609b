/**
 * Run in a child process (`node --import tsx test/support/tracing-probe.ts`): starts tracing as src/main.ts
 * does, from OTEL_EXPORTER_OTLP_ENDPOINT, then loads @grpc/grpc-js and pg as the app would and prints on one
 * JSON line whether any of the SDK was loaded and whether either module was patched.
 */
import { startTracing } from '../../src/platform/tracing';

const tracing = startTracing({ endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: 'probe' });
const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
const pg = require('pg') as typeof import('pg');
const wrapped = (fn: unknown) => typeof fn === 'function' && '__wrapped' in fn;
process.stdout.write(
  `${JSON.stringify({
    started: tracing !== undefined,
    sdkLoaded: Object.keys(require.cache).filter((file) => /@opentelemetry[\\/](sdk-|instrumentation)/.test(file)).length,
    grpcPatched: wrapped(grpc.Server.prototype.register) || wrapped(grpc.makeGenericClientConstructor),
    pgPatched: wrapped(pg.Client.prototype.query),
  })}\n`,
);
void tracing?.shutdown();
