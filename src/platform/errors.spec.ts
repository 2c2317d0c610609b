import { status, type ServiceError } from '@grpc/grpc-js';
import { DriverException } from '@mikro-orm/core';
import { decodeErrorDetails, failedPrecondition, isDatabaseUnavailable, toServiceError } from './errors';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' })],
    ['a refused connection on every address tried', new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], 'connect failed')],
    ['a refusal carried as a cause', new Error('could not connect', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })],
    ['a connection cut mid-statement, as knex words it', new Error('select 1 - Connection terminated unexpectedly')],
    ['a connect that timed out', new Error('timeout expired')],
    ['a transaction whose connection died under it, as knex words it', new Error('Transaction query already complete, run with DEBUG=knex:tx for more info')],
    ['a pool that timed out', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'), { name: 'KnexTimeoutError' })],
    ['too many clients', pgError('53300', 'sorry, too many clients already')],
    ['an administrator shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['a crash shutdown', pgError('57P02', 'terminating connection because of crash of another server process')],
    ['a server starting up', pgError('57P03', 'the database system is starting up')],
    ['a connection failure (class 08)', pgError('08006', 'connection failure')],
    ['a name that does not resolve (a container gone)', Object.assign(new Error('getaddrinfo EAI_AGAIN db'), { code: 'EAI_AGAIN' })],
    ['MikroORM’s wrapping of a shutdown', new DriverException(pgError('57P01', 'terminating connection due to unexpected postmaster exit'))],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', pgError('42601', 'syntax error at or near "selec"')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('toServiceError', () => {
  it('answers a database outage UNAVAILABLE with a retry delay, never INTERNAL', () => {
    const mapped = toServiceError(new Error('insert into orders.order … - Connection terminated unexpectedly'), 'restock.orders.v1.OrdersService')!;
    expect(mapped.code).toBe(status.UNAVAILABLE);
    const details = decodeErrorDetails(mapped as ServiceError);
    expect(details.reason).toBe('DATABASE_UNAVAILABLE');
    expect(details.retryDelayMs).toBeGreaterThan(0);
    expect(mapped.details).not.toContain('Connection terminated'); // the cause stays in the server's log
  });

  it('gives other refusals no retry delay', () => {
    const mapped = toServiceError(failedPrecondition('SOME_REASON', 'no'), 'd')!;
    expect(decodeErrorDetails(mapped as ServiceError).retryDelayMs).toBeUndefined();
  });

  it('leaves an unexpected error to the caller (INTERNAL)', () => {
    expect(toServiceError(new TypeError('bug'), 'd')).toBeNull();
  });
});
