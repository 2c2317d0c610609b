import { status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import type { Logger } from './logger';
import { Metrics, RpcMetrics } from './metrics';

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

describe('Metrics', () => {
  it('leaves out the gauges of a collector that fails, says so once, and shows them again once it answers', async () => {
    const log = { warn: jest.fn(), info: jest.fn() };
    const metrics = new Metrics(log as unknown as Logger);
    const waiting = metrics.gauge('restock_test_waiting', 'Waiting things.');
    const byKind = metrics.gauge('restock_test_by_kind', 'Things by kind.', ['kind']);
    let answer: () => number = () => {
      throw new Error('database unreachable');
    };
    metrics.onScrape('test.things', async () => [
      { gauge: waiting, value: answer() },
      { gauge: byKind, labels: { kind: 'a' }, value: 2 },
    ]);
    metrics.onScrape('test.wrong-labels', async () => [{ gauge: byKind, labels: { sort: 'b' }, value: 1 }]);
    const lines = (text: string) => text.split('\n').filter((line) => /^restock_(test|metrics)_/.test(line));

    expect(lines(await metrics.scrape())).toEqual([
      'restock_metrics_collector_up{collector="test.things"} 0',
      'restock_metrics_collector_up{collector="test.wrong-labels"} 0',
    ]);
    await metrics.scrape();
    expect(log.warn).toHaveBeenCalledTimes(2); // once per collector, not once per scrape
    expect(log.warn.mock.calls[1][0].err.message).toMatch(/restock_test_by_kind has the labels kind, a sample came with sort/);

    answer = () => 7;
    const text = await metrics.scrape();
    expect(lines(text)).toEqual([
      'restock_metrics_collector_up{collector="test.things"} 1',
      'restock_metrics_collector_up{collector="test.wrong-labels"} 0',
      'restock_test_waiting 7',
      'restock_test_by_kind{kind="a"} 2',
    ]);
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(text).toContain('# TYPE restock_test_waiting gauge');
    expect(text).toContain('restock_process_cpu_user_seconds_total');
  });
});
