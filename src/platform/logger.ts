import pino from 'pino';
import { traceFields, tracingEnabled } from './tracing';

export type Logger = pino.Logger;

/**
 * Creates the process logger (JSON lines on stdout). With tracing on, a line written inside a span carries
 * its `trace_id` and `span_id`; with tracing off there is no mixin at all.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid }, ...(tracingEnabled() ? { mixin: traceFields } : {}) });
}
