import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { RpcMetrics } from './metrics';

describe('RpcMetrics', () => {
  it('counts calls per code and puts each latency in the first bucket at or above it, cumulatively', async () => {
    const registry = new Registry();
    const rpc = new RpcMetrics(registry);
    const observe = rpc.observer('server', 'restock.x.v1.XService', 'Do');
    observe(status.OK, 0.001); // on a bound: that bucket
    observe(status.OK, 0.0011);
    observe(status.OK, 31); // above every bound: +Inf only
    observe(status.NOT_FOUND, 0.2);
    rpc.observer('client', 'restock.x.v1.XService', 'Do')(status.UNAVAILABLE, 0.05);
    const text = await registry.metrics();
    const line = (series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));
    const ok = 'service="restock.x.v1.XService",method="Do",code="OK"';
    expect(line(`restock_grpc_server_handled_total{${ok}}`)).toBe(`restock_grpc_server_handled_total{${ok}} 3`);
    expect(line(`restock_grpc_server_handling_seconds_bucket{${ok},le="0.001"}`)).toMatch(/ 1$/);
    expect(line(`restock_grpc_server_handling_seconds_bucket{${ok},le="0.0025"}`)).toMatch(/ 2$/);
    expect(line(`restock_grpc_server_handling_seconds_bucket{${ok},le="30"}`)).toMatch(/ 2$/);
    expect(line(`restock_grpc_server_handling_seconds_bucket{${ok},le="+Inf"}`)).toMatch(/ 3$/);
    expect(Number(line(`restock_grpc_server_handling_seconds_sum{${ok}}`)!.split(' ')[1])).toBeCloseTo(31.0021, 9);
    expect(line(`restock_grpc_server_handled_total{service="restock.x.v1.XService",method="Do",code="NOT_FOUND"}`)).toMatch(/ 1$/);
    expect(line(`restock_grpc_client_handled_total{service="restock.x.v1.XService",method="Do",code="UNAVAILABLE"}`)).toMatch(/ 1$/);
    expect(text).toContain('# TYPE restock_grpc_server_handling_seconds histogram');
    expect(text).toContain('# TYPE restock_grpc_client_handled_total counter');
  });
});
