import { status } from '@grpc/grpc-js';
import { DeadMessageActionKind, OutboxService, type DeadMessage } from '../src/gen/restock/operations/v1/operations_service';
import { messageIdFor } from '../src/platform/mail';
import { transaction } from '../src/platform/orm';
import { enqueue } from '../src/platform/outbox';
import { query } from './support/db';
import { order, product, settle } from './support/fixtures';
import { grpcError, startTestApp, type TestApp } from './support/harness';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';

// Dead letters: messages that failed every attempt are listed, retried or discarded over gRPC, each action
// audited with the caller's sub. One attempt is the whole budget here, and SMTP refuses mail at first.
const FROM = 'Restock <orders@restock.test>';
const ORDERS = OutboxService.OUTBOX_SERVICE_ORDERS;

let smtp: TestSmtpServer;
let t: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ background: false, env: { SMTP_URL: smtp.url, MAIL_FROM: FROM, CUSTOMER_MAIL_FROM: FROM, OUTBOX_MAX_ATTEMPTS: '1' } });
});
afterAll(async () => {
  await t?.stop();
  await smtp.close();
});

const outboxRow = async (id: number) =>
  (await query<{ status: string; attempts: number; deadTime: Date | null }>(t.databaseUrl, 'SELECT status, attempts, dead_time FROM orders.outbox WHERE id = $1', [id]))[0];

async function allDead(service = ORDERS, topic = ''): Promise<DeadMessage[]> {
  const messages: DeadMessage[] = [];
  let pageToken = '';
  do {
    const page = await t.operations.listDeadMessages({ service, topic, pageSize: 1, pageToken });
    expect(page.messages.length).toBeLessThanOrEqual(1);
    messages.push(...page.messages);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return messages;
}

describe('dead letters', () => {
  let confirmations: DeadMessage[];
  let stray: DeadMessage;

  it('lists messages that used up their attempts: topic, key, attempts, last error, when created and when dead', async () => {
    await product(t, 'DL-1', { onHand: 1 });
    smtp.down = true;
    const before = new Date();
    await order(t, [['DL-1', 1]], { customer: 'dl-ann', requestId: 'dl-ann-1' });
    await order(t, [['DL-1', 2]], { customer: 'dl-bob', requestId: 'dl-bob-1' });
    // a message no delivery knows dies too, with its own error
    await transaction(t.app.orms.orders!, (sql) => enqueue(sql, 'orders', [{ topic: 'dl-unknown', key: 'dl-stray', payload: {} }]));
    await settle(t);

    const dead = await allDead();
    expect(dead.map((m) => m.topic).sort()).toEqual(['dl-unknown', 'email', 'email']);
    for (const message of dead) {
      expect(message.attempts).toBe(1);
      expect(message.createTime!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
      expect(message.deadTime!.getTime()).toBeGreaterThanOrEqual(message.createTime!.getTime());
    }
    confirmations = dead.filter((m) => m.topic === 'email');
    stray = dead.find((m) => m.topic === 'dl-unknown')!;
    for (const message of confirmations) expect(message.lastError).toMatch(/451/);
    expect(stray).toMatchObject({ key: 'dl-stray', lastError: 'no handler for topic dl-unknown' });

    // the topic filter, and the other outboxes have nothing dead
    expect((await t.operations.listDeadMessages({ service: ORDERS, topic: 'email' })).messages.map((m) => m.messageId)).toEqual(confirmations.map((m) => m.messageId));
    expect((await t.operations.listDeadMessages({ service: ORDERS, topic: 'nothing' })).messages).toEqual([]);
    expect((await t.operations.listDeadMessages({ service: OutboxService.OUTBOX_SERVICE_INVENTORY })).messages).toEqual([]);
    expect(smtp.messages).toHaveLength(0);
  });

  it('retries a dead email once SMTP is back: it arrives exactly once, with the Message-ID of its key, and the retry is audited', async () => {
    smtp.down = false;
    const [ann] = confirmations;
    const { operations: alice } = t.clientsAs({ sub: 'ops-alice', roles: ['admin'] });
    const request = { requestId: 'dl-retry-1', service: ORDERS, messageId: ann.messageId, reason: 'SMTP relay fixed' };
    const { action } = await alice.retryDeadMessage(request);
    expect(action).toMatchObject({
      kind: DeadMessageActionKind.DEAD_MESSAGE_ACTION_KIND_RETRY,
      messageId: ann.messageId,
      topic: 'email',
      key: ann.key,
      attempts: 1,
      reason: 'SMTP relay fixed',
      actor: 'ops-alice',
    });
    expect(action!.lastError).toMatch(/451/);
    expect(await outboxRow(ann.messageId)).toEqual({ status: 'pending', attempts: 0, deadTime: null });
    // the same request again answers the same action; another retry of a message no longer dead is refused
    expect((await alice.retryDeadMessage(request)).action).toEqual(action);
    const again = await grpcError(alice.retryDeadMessage({ ...request, requestId: 'dl-retry-2' }));
    expect([status[again.code], again.reason, again.metadata.status]).toEqual(['FAILED_PRECONDITION', 'MESSAGE_NOT_DEAD', 'pending']);

    await t.app.dispatchers.orders!.drain();
    await t.app.dispatchers.orders!.drain();
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].messageId).toBe(messageIdFor(ann.key, FROM));
    expect(smtp.to('dl-ann@example.com')).toHaveLength(1);
    expect((await outboxRow(ann.messageId)).status).toBe('delivered');
    expect((await allDead()).map((m) => m.messageId)).not.toContain(ann.messageId);

    const delivered = await grpcError(t.operations.retryDeadMessage({ ...request, requestId: 'dl-retry-3' }));
    expect([status[delivered.code], delivered.reason]).toEqual(['FAILED_PRECONDITION', 'MESSAGE_NOT_DEAD']);
  });

  it('discards a dead message: never delivered, kept as discarded, the discard audited with its caller', async () => {
    const [, bob] = confirmations;
    const { operations: bert } = t.clientsAs({ sub: 'ops-bert', roles: ['admin'] });
    const { action } = await bert.discardDeadMessage({ requestId: 'dl-discard-1', service: ORDERS, messageId: bob.messageId, reason: 'customer asked for no mail' });
    expect(action).toMatchObject({ kind: DeadMessageActionKind.DEAD_MESSAGE_ACTION_KIND_DISCARD, messageId: bob.messageId, key: bob.key, actor: 'ops-bert' });
    expect((await outboxRow(bob.messageId)).status).toBe('discarded');
    await t.app.dispatchers.orders!.drain();
    expect(smtp.to('dl-bob@example.com')).toHaveLength(0);
    const twice = await grpcError(bert.retryDeadMessage({ requestId: 'dl-discard-2', service: ORDERS, messageId: bob.messageId, reason: 'oops' }));
    expect([status[twice.code], twice.reason, twice.metadata.status]).toEqual(['FAILED_PRECONDITION', 'MESSAGE_NOT_DEAD', 'discarded']);
    expect((await allDead()).map((m) => m.key)).toEqual(['dl-stray']);

    const missing = await grpcError(bert.discardDeadMessage({ requestId: 'dl-discard-3', service: ORDERS, messageId: 987654321, reason: 'gone' }));
    expect(status[missing.code]).toBe('NOT_FOUND');
  });

  it('keeps the audit in the service schema, and lists it newest first', async () => {
    const rows = await query<{ messageId: number; action: string; actor: string; reason: string; topic: string; dedupeKey: string; attempts: number; actionTime: Date }>(
      t.databaseUrl,
      'SELECT message_id, action, actor, reason, topic, dedupe_key, attempts, action_time FROM orders.outbox_audit ORDER BY id',
    );
    const [ann, bob] = confirmations;
    expect(rows.map((r) => [r.messageId, r.action, r.actor, r.reason, r.topic, r.dedupeKey, r.attempts])).toEqual([
      [ann.messageId, 'retry', 'ops-alice', 'SMTP relay fixed', 'email', ann.key, 1],
      [bob.messageId, 'discard', 'ops-bert', 'customer asked for no mail', 'email', bob.key, 1],
    ]);
    expect(rows.every((r) => r.actionTime instanceof Date)).toBe(true);
    const { actions, nextPageToken } = await t.operations.listDeadMessageActions({ service: ORDERS, pageSize: 1 });
    expect(actions.map((a) => [a.actor, a.kind])).toEqual([['ops-bert', DeadMessageActionKind.DEAD_MESSAGE_ACTION_KIND_DISCARD]]);
    const next = await t.operations.listDeadMessageActions({ service: ORDERS, pageSize: 1, pageToken: nextPageToken });
    expect(next.actions.map((a) => a.actor)).toEqual(['ops-alice']);
    expect(next.nextPageToken).toBe('');
  });

  it('is for admins only', async () => {
    for (const role of ['storefront', 'warehouse', 'planner', 'service'] as const) {
      const { operations } = t.clientsAs({ sub: `dl-${role}`, roles: [role] });
      const calls = [
        operations.listDeadMessages({ service: ORDERS }),
        operations.retryDeadMessage({ requestId: `dl-${role}`, service: ORDERS, messageId: stray.messageId, reason: 'try' }),
        operations.discardDeadMessage({ requestId: `dl-${role}`, service: ORDERS, messageId: stray.messageId, reason: 'try' }),
        operations.listDeadMessageActions({ service: ORDERS }),
      ];
      for (const call of calls) expect([role, status[(await grpcError(call)).code]]).toEqual([role, 'PERMISSION_DENIED']);
    }
    expect((await outboxRow(stray.messageId)).status).toBe('dead');
  });

  it('refuses bad input with INVALID_ARGUMENT listing every bad field', async () => {
    const bad = await grpcError(t.operations.retryDeadMessage({ requestId: '', service: OutboxService.OUTBOX_SERVICE_UNSPECIFIED, messageId: 0, reason: '  ' }));
    expect(status[bad.code]).toBe('INVALID_ARGUMENT');
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['message_id', 'reason', 'request_id', 'service']);
    const list = await grpcError(t.operations.listDeadMessages({ service: 99 as OutboxService, pageSize: -1, pageToken: 'nope' }));
    expect(status[list.code]).toBe('INVALID_ARGUMENT');
    const token = await grpcError(t.operations.listDeadMessages({ service: ORDERS, pageToken: 'nope' }));
    expect([status[token.code], token.violations.map((v) => v.field)]).toEqual(['INVALID_ARGUMENT', ['page_token']]);
    const long = await grpcError(t.operations.discardDeadMessage({ requestId: 'dl-long', service: ORDERS, messageId: stray.messageId, reason: 'x'.repeat(501) }));
    expect([status[long.code], long.violations.map((v) => v.field)]).toEqual(['INVALID_ARGUMENT', ['reason']]);
    expect((await outboxRow(stray.messageId)).status).toBe('dead');
  });

  it('answers FAILED_PRECONDITION for a service the process does not host', async () => {
    const ordersOnly = await startTestApp({ background: false, databaseUrl: t.databaseUrl, env: { SERVICES: 'orders' } });
    try {
      const error = await grpcError(ordersOnly.operations.listDeadMessages({ service: OutboxService.OUTBOX_SERVICE_PROCUREMENT }));
      expect([status[error.code], error.reason, error.metadata.service]).toEqual(['FAILED_PRECONDITION', 'SERVICE_NOT_HOSTED', 'procurement']);
      expect((await ordersOnly.operations.listDeadMessages({ service: ORDERS })).messages.map((m) => m.key)).toEqual(['dl-stray']);
    } finally {
      await ordersOnly.stop();
    }
  });
});
