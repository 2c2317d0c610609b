import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/** Tracing that runs: where its spans go, and how to flush them before the process exits. */
export interface Tracing {
  endpoint: string;
  serviceName: string;
  /** Ends the SDK, exporting the spans it still holds. */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/** Whether this process started tracing (OTEL_EXPORTER_OTLP_ENDPOINT was set). */
export function tracingEnabled(): boolean {
  return started !== undefined;
}

/**
 * Starts the OpenTelemetry SDK when endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) is set: spans of gRPC calls
 * (both sides, W3C trace context in the metadata), of pg queries made inside a span, and of outbox deliveries
 * and emails, exported over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`. Without an endpoint nothing is
 * loaded, patched or started, and this returns undefined.
 *
 * It must run before @grpc/grpc-js and pg are first required (src/main.ts imports the app only afterwards):
 * the instrumentations patch those modules as they load. The exporter and the batch span processor read
 * the standard OTEL_* variables (OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_SCHEDULE_DELAY, OTEL_TRACES_SAMPLER, …).
 */
export function startTracing(options: { endpoint?: string; serviceName: string }): Tracing | undefined {
  if (!options.endpoint) return undefined;
  if (started) return started;
  // Loaded here, not at the top: with tracing off, not one module of the SDK is loaded.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { GrpcInstrumentation } = require('@opentelemetry/instrumentation-grpc') as typeof import('@opentelemetry/instrumentation-grpc');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      // health checks are polled by orchestrators: a trace each would drown the ones that matter
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      // queries outside any span (the outbox and scheduler polls) would each start a trace of their own
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // traces only: metrics are Prometheus' (/metrics), logs go to stdout
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  started = {
    endpoint: options.endpoint,
    serviceName: options.serviceName,
    shutdown: () => sdk.shutdown(),
  };
  return started;
}

/** The W3C traceparent of the active span, to be stored with an outbox message; undefined without one (always, with tracing off). */
export function activeTraceparent(): string | undefined {
  if (!started) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return isSpanContextValid(span.spanContext()) ? `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}` : undefined;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a stored traceparent names (a remote parent), or the root context when there is none or it is malformed. */
export function contextOf(traceparent: string | null | undefined): Context {
  const parts = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!parts) return ROOT_CONTEXT;
  const spanContext = { traceId: parts[1], spanId: parts[2], traceFlags: parseInt(parts[3], 16), isRemote: true };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/** Where a span of inSpan hangs: under a stored traceparent (null: a trace of its own), or the active span when absent. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  parent?: string | null;
}

/**
 * Runs fn inside a new active span, ended when fn settles (an error thrown marks it failed); fn may mark it
 * failed itself. With tracing off fn runs alone and gets no span.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!started) return fn(undefined);
  const parent = options.parent === undefined ? context.active() : contextOf(options.parent);
  const span = trace.getTracer('restock').startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  return context.with(trace.setSpan(parent, span), () => fn(span)).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failSpan(span, error);
      span.end();
      throw error;
    },
  );
}

/** Marks span failed with error (a message or an Error, recorded as an exception). */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** pino mixin: the trace_id and span_id of the active span, on every log line written inside one. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export { SpanKind };
