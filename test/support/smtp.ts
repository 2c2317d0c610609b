import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in the test process that parses what it accepts; it can be made to refuse mail. */
export interface TestSmtpServer {
  url: string;
  messages: ParsedMail[];
  /** While down, every message is refused with a temporary error (451). */
  down: boolean;
  /** The messages accepted for address, optionally only those whose subject matches. */
  to(address: string, subject?: RegExp): ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    url: '',
    messages: [],
    down: false,
    to: (address, subject) => state.messages.filter((m) => recipients(m).includes(address) && (!subject || subject.test(m.subject ?? ''))),
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.down) {
          callback(Object.assign(new Error('mailbox temporarily unavailable'), { responseCode: 451 }));
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            state.messages.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  // A sender killed mid-session (the crash tests SIGKILL processes that may be sending) resets its connection:
  // smtp-server emits that as an error, which without a listener would end the test process.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') console.error('test SMTP server:', error);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

function recipients(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((address) => address.value.map((v) => v.address ?? ''));
}
