import { loadConfig } from './config';
import { serverOptions } from './server-options';

describe('serverOptions', () => {
  it('limits messages to 4 MiB, closes connections idle for 5 minutes, keeps alive and allows 100 streams, by default', () => {
    expect(serverOptions(loadConfig({}))).toEqual({
      'grpc.so_reuseport': 0,
      'grpc.max_receive_message_length': 4 * 1024 * 1024,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
      'grpc.max_connection_idle_ms': 300_000,
      'grpc.keepalive_time_ms': 120_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.max_concurrent_streams': 100,
    });
  });

  it('takes each limit from its variable', () => {
    const env = { GRPC_MAX_MESSAGE_BYTES: '1024', GRPC_IDLE_TIMEOUT_MS: '1000', GRPC_KEEPALIVE_TIME_MS: '2000', GRPC_KEEPALIVE_TIMEOUT_MS: '3000', GRPC_MAX_CONCURRENT_STREAMS: '4' };
    expect(serverOptions(loadConfig(env))).toMatchObject({
      'grpc.max_receive_message_length': 1024,
      'grpc.max_send_message_length': 1024,
      'grpc.max_connection_idle_ms': 1000,
      'grpc.keepalive_time_ms': 2000,
      'grpc.keepalive_timeout_ms': 3000,
      'grpc.max_concurrent_streams': 4,
    });
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => loadConfig({ GRPC_MAX_MESSAGE_BYTES: '0', GRPC_IDLE_TIMEOUT_MS: 'soon', GRPC_MAX_CONCURRENT_STREAMS: '-1' })).toThrow(
      /GRPC_MAX_MESSAGE_BYTES[\s\S]*GRPC_IDLE_TIMEOUT_MS[\s\S]*GRPC_MAX_CONCURRENT_STREAMS/,
    );
  });
});
