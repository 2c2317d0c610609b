import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** Who the provider signs in next, with the claims it puts in the ID token. */
export interface ProviderUser {
  sub: string;
  name?: string;
  claims?: Record<string, unknown>;
}

/** A tiny OpenID Connect provider for tests: discovery, JWKS, /authorize that signs `user` in at once, /token with PKCE. */
export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  user: ProviderUser;
  /** Token requests it refused, with why. */
  refused: string[];
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<TestOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string; user: ProviderUser }>();
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, provider.issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}/authorize`,
        token_endpoint: `${provider.issuer}/token`,
        jwks_uri: `${provider.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== provider.clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('nonce') || !q.get('state')) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: q.get('nonce')!, challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')!, user: provider.user });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const why = !grant
          ? 'unknown or used code'
          : form.get('client_id') !== provider.clientId || form.get('client_secret') !== provider.clientSecret
            ? 'client authentication'
            : form.get('redirect_uri') !== grant.redirectUri
              ? 'redirect_uri'
              : createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
                ? 'PKCE verifier'
                : undefined;
        if (why) {
          provider.refused.push(why);
          return json(400, { error: 'invalid_grant', error_description: why });
        }
        void new SignJWT({ nonce: grant!.nonce, name: grant!.user.name, ...grant!.user.claims })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .setIssuer(provider.issuer)
          .setAudience(provider.clientId)
          .setSubject(grant!.user.sub)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey)
          .then((idToken) => json(200, { access_token: randomBytes(8).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const provider: TestOidcProvider = {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: 'restock-console',
    clientSecret: 'console-client-secret',
    user: { sub: 'nobody' },
    refused: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return provider;
}
