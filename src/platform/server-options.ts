import type { ChannelOptions } from '@grpc/grpc-js';
import type { Config } from './config';

/** The grpc-js server options of a configuration: message size, idle connections, keepalive and streams per connection. */
export function serverOptions(config: Config): ChannelOptions {
  return {
    // No SO_REUSEPORT: a second process on a taken port must fail, not silently share it.
    'grpc.so_reuseport': 0,
    'grpc.max_receive_message_length': config.GRPC_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': config.GRPC_MAX_MESSAGE_BYTES,
    'grpc.max_connection_idle_ms': config.GRPC_IDLE_TIMEOUT_MS,
    'grpc.keepalive_time_ms': config.GRPC_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': config.GRPC_KEEPALIVE_TIMEOUT_MS,
    'grpc.max_concurrent_streams': config.GRPC_MAX_CONCURRENT_STREAMS,
  };
}
