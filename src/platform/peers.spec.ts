import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, toServiceError } from './errors';
import { peerOutage } from './peers';

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

describe('peerOutage', () => {
  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED])('turns a peer that did not answer (%s) into UNAVAILABLE PEER_UNAVAILABLE', (code) => {
    const outage = peerOutage('inventory', serviceError(code, 'connect ECONNREFUSED'));
    expect(outage).toBeInstanceOf(DomainError);
    expect(outage).toMatchObject({ kind: 'UNAVAILABLE', reason: 'PEER_UNAVAILABLE', metadata: { peer: 'inventory' }, code, details: 'connect ECONNREFUSED' });
    expect((outage as Error).message).toBe(`inventory did not answer (${status[code]}: connect ECONNREFUSED); retry later`);
    expect(toServiceError(outage, 'restock.orders.v1.OrdersService')?.code).toBe(status.UNAVAILABLE);
  });

  it.each([status.INVALID_ARGUMENT, status.NOT_FOUND, status.FAILED_PRECONDITION, status.INTERNAL, status.PERMISSION_DENIED])('passes any other answer (%s) as it is', (code) => {
    const error = serviceError(code, 'no');
    expect(peerOutage('procurement', error)).toBe(error);
  });

  it('passes errors that are not gRPC errors as they are', () => {
    const error = new TypeError('bug');
    expect(peerOutage('orders', error)).toBe(error);
    expect(peerOutage('orders', undefined)).toBeUndefined();
  });
});
