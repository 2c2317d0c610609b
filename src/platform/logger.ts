import pino from 'pino';

export type Logger = pino.Logger;

/** Creates the process logger (JSON lines on stdout). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } });
}
