import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { activeTraceparent, contextOf, inSpan, tracingEnabled } from './tracing';

describe('stored trace context', () => {
  it('reads a W3C traceparent as a remote parent', () => {
    const parent = trace.getSpanContext(contextOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    expect(parent).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
  });

  it('starts a trace of its own from none or a malformed one', () => {
    for (const bad of [null, undefined, '', 'garbage', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01']) {
      expect(contextOf(bad)).toBe(ROOT_CONTEXT);
    }
  });

  it('with tracing off, stores nothing and runs work without a span', async () => {
    expect(tracingEnabled()).toBe(false);
    expect(activeTraceparent()).toBeUndefined();
    await expect(inSpan('work', { parent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, async (span) => span)).resolves.toBeUndefined();
  });
});
