import { createServer, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP receiver got it (ids in hex, attributes flattened). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  serviceName: string;
  attributes: Record<string, unknown>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  startNanos: bigint;
  endNanos: bigint;
}

/** A real OTLP/HTTP trace receiver in the test process (JSON, the encoding of @opentelemetry/exporter-trace-otlp-http). */
export interface OtlpReceiver {
  /** Base URL: what OTEL_EXPORTER_OTLP_ENDPOINT is set to (spans arrive at `<url>/v1/traces`). */
  url: string;
  spans: ReceivedSpan[];
  /** Export requests received, whatever their path. */
  requests: number;
  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[];
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
type KeyValue = { key: string; value: AnyValue };
interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: (Pick<ReceivedSpan, 'traceId' | 'spanId' | 'name' | 'kind'> & { parentSpanId?: string; attributes?: KeyValue[]; status?: { code?: number }; startTimeUnixNano: string; endTimeUnixNano: string })[] }[] }[];
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const state: OtlpReceiver = {
    url: '',
    spans: [],
    requests: 0,
    trace: (traceId) => state.spans.filter((s) => s.traceId === traceId),
    close: async () => {},
  };
  const server = createServer((request, response) => {
    state.requests++;
    body(request).then(
      (bytes) => {
        if (request.url !== '/v1/traces' || !/json/.test(request.headers['content-type'] ?? '')) {
          response.writeHead(415).end();
          return;
        }
        const exported = JSON.parse(bytes.toString('utf8')) as ExportRequest;
        for (const resourceSpans of exported.resourceSpans ?? []) {
          const serviceName = String(flatten(resourceSpans.resource?.attributes)['service.name'] ?? '');
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) {
              state.spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                serviceName,
                attributes: flatten(span.attributes),
                statusCode: span.status?.code ?? 0,
                startNanos: BigInt(span.startTimeUnixNano),
                endNanos: BigInt(span.endTimeUnixNano),
              });
            }
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      () => response.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  state.url = `http://127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', reject);
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      resolve(request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw);
    });
  });
}

function flatten(attributes: KeyValue[] | undefined): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) flat[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
  return flat;
}
