import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { topic } from './topics';
import { inSpan, SpanKind, tracingEnabled } from './tracing';

/** Email is one message to a customer or supplier. */
export interface Email {
  to: string;
  /** Where replies go (the Reply-To header); unset: to the sender. */
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: string; contentType: string }[];
  /** Who it comes from: purchasing (MAIL_FROM, the default) writes to suppliers, customer service (CUSTOMER_MAIL_FROM) to customers. */
  sender?: Sender;
}

export type Sender = 'purchasing' | 'customer';

/** An email to send: every service's outbox delivers this topic with the mailer. */
export const EMAIL = topic<Email>('email');

/** Mailer sends an email once its server accepted it; the dedupe key gives it a stable Message-ID. */
export interface Mailer {
  send(email: Email, dedupeKey: string): Promise<void>;
  close(): void;
}

/** The Message-ID of the email with dedupeKey: the same on every retry. */
export function messageIdFor(dedupeKey: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'restock.local';
  return `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}@${domain}>`;
}

/** The mailer's settings: each sender's From address (customer: from when not given). */
export interface MailerOptions {
  smtpUrl?: string;
  from: string;
  customerFrom?: string;
  mailDir: string;
}

function fromOf(email: Email, options: MailerOptions): string {
  return email.sender === 'customer' ? (options.customerFrom ?? options.from) : options.from;
}

/** Sends through SMTP_URL when set, else writes each email as an .eml file under mailDir; with tracing on, each send is a span. */
export function createMailer(options: MailerOptions): Mailer {
  const mailer = untracedMailer(options);
  if (!tracingEnabled()) return mailer;
  const transport = options.smtpUrl ? 'smtp' : 'file';
  return {
    send: (email, dedupeKey) =>
      inSpan('email send', { kind: SpanKind.CLIENT, attributes: { 'restock.email.transport': transport, 'restock.email.message_id': messageIdFor(dedupeKey, fromOf(email, options)) } }, () => mailer.send(email, dedupeKey)),
    close: () => mailer.close(),
  };
}

function untracedMailer(options: MailerOptions): Mailer {
  const message = (email: Email, dedupeKey: string) => {
    const { sender: _sender, ...mail } = email;
    const from = fromOf(email, options);
    return { ...mail, from, messageId: messageIdFor(dedupeKey, from) };
  };
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      send: async (email, dedupeKey) => void (await transport.sendMail(message(email, dedupeKey))),
      close: () => transport.close(),
    };
  }
  // The same MIME an SMTP server would get, composed without a transport (half the CPU of a stream
  // transport) and written synchronously: a few KB into the page cache take ~0.03 ms here, where
  // fs/promises spends ~0.25 ms of CPU (0.1 ms of it on the event loop) handing the work to a thread.
  let madeDir = false;
  return {
    async send(email, dedupeKey) {
      const eml = await new MailComposer(message(email, dedupeKey)).compile().build();
      if (!madeDir) {
        mkdirSync(options.mailDir, { recursive: true });
        madeDir = true;
      }
      // One file per dedupe key: a retried email overwrites its own file.
      writeFileSync(path.join(options.mailDir, emlFileName(dedupeKey)), eml);
    },
    close: () => undefined,
  };
}

function emlFileName(dedupeKey: string): string {
  const readable = dedupeKey.replace(/[^\w.-]+/g, '_').slice(0, 80);
  return `${readable}-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 8)}.eml`;
}
