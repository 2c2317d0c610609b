import {
  DeadMessageActionKind,
  OutboxService,
  type DeadMessageAction,
  type OutboxAdminServiceDefinition,
} from '../gen/restock/operations/v1/operations_service';
import type { ServiceName } from './config';
import {
  discardDeadMessage,
  insertAuditAction,
  listAuditActions,
  listDeadMessages,
  lockMessage,
  requeueDeadMessage,
  type DeadMessageRow,
  type OutboxAuditRow,
} from './dead-letters.repository';
import { failedPrecondition, notFound } from './errors';
import { once } from './idempotency';
import { sqlOf, transaction, type Orm } from './orm';
import { decodePageToken, encodePageToken, pageSize } from './pagination';
import type { CallContext, Handlers } from './rpc';
import { Validator } from './validation';

/** The outbox of each service this process hosts: its ORM and schema. */
export type HostedOutboxes = Partial<Record<ServiceName, { orm: Orm; schema: string }>>;

const SERVICES: Partial<Record<OutboxService, ServiceName>> = {
  [OutboxService.OUTBOX_SERVICE_INVENTORY]: 'inventory',
  [OutboxService.OUTBOX_SERVICE_ORDERS]: 'orders',
  [OutboxService.OUTBOX_SERVICE_PROCUREMENT]: 'procurement',
};

const isPosition = (position: unknown): position is { after: number } =>
  typeof position === 'object' && position !== null && Number.isSafeInteger((position as { after?: unknown }).after);

/**
 * The dead-letter tools (OutboxAdminService) over the outboxes of the services this process hosts. A dead
 * message can be retried (pending again, due now, attempts back to 0 so it gets the whole budget of
 * attempts and backoff again) or discarded (status 'discarded': never delivered, kept so its dedupe key
 * still drops a duplicate). Only a dead message can be either; every action is audited in the service's
 * outbox_audit with the caller's sub, in the transaction of the action.
 */
export function deadLetterHandlers(outboxes: HostedOutboxes): Handlers<typeof OutboxAdminServiceDefinition> {
  /** The outbox a request names: INVALID_ARGUMENT when it names none, FAILED_PRECONDITION when this process does not host it. */
  function outboxOf(service: OutboxService, check: Validator) {
    const name = SERVICES[service];
    check.check(name !== undefined, 'service', 'must name a service: OUTBOX_SERVICE_INVENTORY, _ORDERS or _PROCUREMENT');
    return () => {
      const hosted = outboxes[name!];
      if (!hosted) {
        throw failedPrecondition('SERVICE_NOT_HOSTED', `this process does not run ${name}; ask a process that does (SERVICES=${name})`, { service: name! });
      }
      return hosted;
    };
  }

  async function act(
    kind: 'retry' | 'discard',
    request: { requestId: string; service: OutboxService; messageId: number; reason: string },
    call: CallContext,
  ): Promise<{ action: DeadMessageAction }> {
    const check = new Validator()
      .id('request_id', request.requestId)
      .check(Number.isSafeInteger(request.messageId) && request.messageId > 0, 'message_id', 'must be a positive message id')
      .text('reason', request.reason.trim(), { min: 1, max: 500 });
    const outbox = outboxOf(request.service, check);
    check.done();
    const { orm, schema } = outbox();
    const operation = kind === 'retry' ? 'RetryDeadMessage' : 'DiscardDeadMessage';
    const stored = await transaction(orm, (sql) =>
      once(sql, schema, operation, request.requestId, request, async () => {
        const message = await lockMessage(sql, schema, request.messageId);
        if (!message) throw notFound('message', String(request.messageId));
        if (message.status !== 'dead') {
          throw failedPrecondition('MESSAGE_NOT_DEAD', `message ${message.id} is ${message.status}; only a dead message can be retried or discarded`, {
            message_id: String(message.id),
            status: message.status,
          });
        }
        if (kind === 'retry') await requeueDeadMessage(sql, schema, message.id);
        else await discardDeadMessage(sql, schema, message.id);
        const audit = await insertAuditAction(sql, schema, { message, action: kind, reason: request.reason.trim(), actor: call.caller.sub });
        call.log.info({ outbox: schema, messageId: message.id, topic: message.topic, key: message.dedupeKey, action: kind }, 'dead message acted on');
        return { ...audit, actionTime: audit.actionTime.toISOString() };
      }),
    );
    // stored as JSON by once(): the time comes back as text on a retry of the request
    return { action: toAction({ ...stored, actionTime: new Date(stored.actionTime) }) };
  }

  return {
    async listDeadMessages(request) {
      const check = new Validator().text('topic', request.topic, { max: 200 });
      const outbox = outboxOf(request.service, check);
      const limit = pageSize(request.pageSize);
      const position = decodePageToken(request.pageToken, isPosition);
      check.done();
      const { orm, schema } = outbox();
      const rows = await listDeadMessages(sqlOf(orm.em.fork()), schema, { topic: request.topic || undefined, afterId: position?.after ?? 0, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        messages: page.map(toDeadMessage),
        nextPageToken: rows.length > limit ? encodePageToken({ after: page[page.length - 1].id }) : '',
      };
    },
    retryDeadMessage: (request, call) => act('retry', request, call),
    discardDeadMessage: (request, call) => act('discard', request, call),
    async listDeadMessageActions(request) {
      const check = new Validator();
      const outbox = outboxOf(request.service, check);
      const limit = pageSize(request.pageSize);
      const position = decodePageToken(request.pageToken, isPosition);
      check.done();
      const { orm, schema } = outbox();
      const rows = await listAuditActions(sqlOf(orm.em.fork()), schema, { beforeId: position?.after ?? null, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        actions: page.map(toAction),
        nextPageToken: rows.length > limit ? encodePageToken({ after: page[page.length - 1].id }) : '',
      };
    },
  };
}

function toDeadMessage(row: DeadMessageRow) {
  return {
    messageId: row.id,
    topic: row.topic,
    key: row.dedupeKey,
    attempts: row.attempts,
    lastError: row.lastError ?? '',
    createTime: row.createTime,
    deadTime: row.deadTime ?? undefined,
  };
}

function toAction(row: OutboxAuditRow): DeadMessageAction {
  return {
    actionId: row.id,
    kind: row.action === 'retry' ? DeadMessageActionKind.DEAD_MESSAGE_ACTION_KIND_RETRY : DeadMessageActionKind.DEAD_MESSAGE_ACTION_KIND_DISCARD,
    messageId: row.messageId,
    topic: row.topic,
    key: row.dedupeKey,
    attempts: row.attempts,
    lastError: row.lastError ?? '',
    reason: row.reason,
    actor: row.actor,
    actionTime: row.actionTime,
  };
}
