import { activeTraceparent } from './tracing';

/**
 * Topic is an outbox topic declared once with its payload type: the producer writes messages of it and
 * the service that owns it delivers them, both importing the same declaration.
 */
export interface Topic<P> {
  readonly name: string;
  /** Never set: carries the payload type. */
  readonly payload?: P;
}

/** Declares an outbox topic with its payload type. */
export function topic<P>(name: string): Topic<P> {
  return { name };
}

/** OutboxMessage is an effect on another system, written in the same transaction as the change causing it. */
export interface OutboxMessage {
  topic: string;
  /** Dedupe key: a second message with the same key is dropped. */
  key: string;
  payload: unknown;
  /** The W3C trace context it was written in (with tracing on): its delivery continues that trace. */
  traceparent?: string;
}

/** A message of topic, its payload checked against the topic's type, in the trace of the active span (if any). */
export function message<P>(topic: Topic<P>, key: string, payload: P): OutboxMessage {
  const traceparent = activeTraceparent();
  return traceparent ? { topic: topic.name, key, payload, traceparent } : { topic: topic.name, key, payload };
}

/** Delivery is how one topic's messages are delivered; it throws to have a message retried later. */
export interface Delivery {
  topic: string;
  deliver(payload: unknown, key: string): Promise<void>;
}

/** The delivery of topic's messages by handler. */
export function delivery<P>(topic: Topic<P>, handler: (payload: P, key: string) => Promise<unknown>): Delivery {
  return {
    topic: topic.name,
    async deliver(payload, key) {
      await handler(payload as P, key);
    },
  };
}

/** The deliveries by topic name; a topic delivered twice is a wiring mistake, refused at start. */
export function deliveriesByTopic(deliveries: Delivery[]): Map<string, Delivery['deliver']> {
  const byTopic = new Map<string, Delivery['deliver']>();
  for (const { topic, deliver } of deliveries) {
    if (byTopic.has(topic)) throw new Error(`outbox topic ${topic} has two deliveries`);
    byTopic.set(topic, deliver);
  }
  return byTopic;
}
