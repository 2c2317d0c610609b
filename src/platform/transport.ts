import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import type { Config } from './config';

/**
 * How the server listens: TLS with TLS_CERT_FILE and TLS_KEY_FILE, requiring a client certificate signed by
 * TLS_CLIENT_CA_FILE when that is set (mTLS); plaintext without them.
 */
export function serverCredentials(config: Pick<Config, 'TLS_CERT_FILE' | 'TLS_KEY_FILE' | 'TLS_CLIENT_CA_FILE'>): ServerCredentials {
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return ServerCredentials.createInsecure();
  const clientCa = config.TLS_CLIENT_CA_FILE ? readFileSync(config.TLS_CLIENT_CA_FILE) : null;
  return ServerCredentials.createSsl(clientCa, [{ cert_chain: readFileSync(config.TLS_CERT_FILE), private_key: readFileSync(config.TLS_KEY_FILE) }], clientCa !== null);
}

/**
 * How this process calls its peers: TLS trusting PEER_TLS_CA_FILE when set, presenting the client certificate
 * PEER_TLS_CERT_FILE / PEER_TLS_KEY_FILE when those are set too; plaintext otherwise.
 */
export function peerCredentials(config: Pick<Config, 'PEER_TLS_CA_FILE' | 'PEER_TLS_CERT_FILE' | 'PEER_TLS_KEY_FILE'>): ChannelCredentials {
  if (!config.PEER_TLS_CA_FILE) return ChannelCredentials.createInsecure();
  const key = config.PEER_TLS_KEY_FILE ? readFileSync(config.PEER_TLS_KEY_FILE) : null;
  const cert = config.PEER_TLS_CERT_FILE ? readFileSync(config.PEER_TLS_CERT_FILE) : null;
  return ChannelCredentials.createSsl(readFileSync(config.PEER_TLS_CA_FILE), key, cert);
}
