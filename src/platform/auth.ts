import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { Config } from './config';
import { DomainError } from './errors';
import { keptSecret } from './kept-secret';
import { ROLES, type Role } from './roles';

/** Who made a call: the token's subject and its (known) roles. */
export interface Caller {
  sub: string;
  roles: Role[];
}

/** How long a token minted for a peer service lives; it is minted again when a third of that is left. */
const SERVICE_TOKEN_TTL_SECONDS = 300;

/** Verifies callers' tokens and mints tokens with the HS256 secret. */
export interface Auth {
  /** The caller of an `authorization` metadata value; UNAUTHENTICATED when it is missing or not a valid token. */
  verify(authorization: string | undefined): Promise<Caller>;
  /** A token for caller, valid for ttlSeconds. */
  mint(caller: Caller, ttlSeconds: number): Promise<string>;
  /** Tokens for caller, each minted again before it expires. */
  tokens(caller: Caller, ttlSeconds?: number): () => Promise<string>;
}

/** Where the secret is kept when AUTH_JWT_SECRET is not set. */
export function keptSecretFile(dataDir: string): string {
  return path.resolve(dataDir, 'jwt-secret');
}

/** The HS256 secret: AUTH_JWT_SECRET, else the one kept under DATA_DIR (generated on first use). */
export async function hs256Secret(config: Pick<Config, 'AUTH_JWT_SECRET' | 'DATA_DIR'>): Promise<Uint8Array> {
  return new TextEncoder().encode(config.AUTH_JWT_SECRET ?? (await keptSecret(keptSecretFile(config.DATA_DIR), 48)));
}

/** The keys of the configuration: the HS256 secret always (peers mint with it), and an identity provider's JWKS when configured. */
export async function createAuth(config: Config): Promise<Auth> {
  const secret = await hs256Secret(config);
  const jwks = await identityProviderKeys(config);
  const claims = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
  const keyOf: JWTVerifyGetKey = (header, token) => (header.alg === 'HS256' ? secret : jwks!(header, token));
  const algorithms = jwks ? ['HS256', 'RS256', 'ES256'] : ['HS256'];
  const auth: Auth = {
    async verify(authorization) {
      const token = /^Bearer +(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) throw unauthenticated('TOKEN_MISSING', 'a bearer token is required (authorization: Bearer <jwt>)');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, keyOf, { algorithms, ...claims, requiredClaims: ['sub', 'exp'] }));
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw unauthenticated('TOKEN_EXPIRED', 'the token has expired');
        if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
          throw new DomainError('UNAVAILABLE', 'KEYS_UNAVAILABLE', 'the keys to verify the token are unavailable, retry');
        }
        throw unauthenticated('TOKEN_INVALID', `the token is not valid: ${error.message}`);
      }
      const roles = payload.roles ?? [];
      if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) throw unauthenticated('TOKEN_INVALID', 'the roles claim must be an array of role names');
      return { sub: payload.sub!, roles: ROLES.filter((role) => roles.includes(role)) };
    },
    mint(caller, ttlSeconds) {
      const jwt = new SignJWT({ roles: caller.roles }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(caller.sub).setIssuedAt().setExpirationTime(`${ttlSeconds}s`);
      if (claims.issuer) jwt.setIssuer(claims.issuer);
      if (claims.audience) jwt.setAudience(claims.audience);
      return jwt.sign(secret);
    },
    tokens(caller, ttlSeconds = SERVICE_TOKEN_TTL_SECONDS) {
      let current: { token: Promise<string>; renewAt: number } | undefined;
      return () => {
        if (!current || Date.now() >= current.renewAt) current = { token: auth.mint(caller, ttlSeconds), renewAt: Date.now() + (ttlSeconds * 1000 * 2) / 3 };
        return current.token;
      };
    },
  };
  return auth;
}

/**
 * The caller of a client certificate the server verified against TLS_CLIENT_CA_FILE (mTLS): `cert:<CN>` (the
 * whole subject when it has no CN), with the `service` role, which is what peers call with.
 */
export function certificateCaller(certificate: PeerCertificate): Caller {
  const joined = (value: string | string[] | undefined) => [value ?? []].flat().join('+');
  const { subject } = certificate;
  const name = subject.CN ? joined(subject.CN) : Object.entries(subject).map(([field, value]) => `${field}=${joined(value)}`).join(',');
  return { sub: `cert:${name}`, roles: ['service'] };
}

/** The caller a service uses for calls to its peers. */
export function serviceCaller(process: string): Caller {
  return { sub: `restock-${process}`, roles: ['service'] };
}

async function identityProviderKeys(config: Config): Promise<JWTVerifyGetKey | undefined> {
  if (config.AUTH_JWKS_URL) return createRemoteJWKSet(new URL(config.AUTH_JWKS_URL));
  if (config.AUTH_JWKS_FILE) return createLocalJWKSet(JSON.parse(await readFile(config.AUTH_JWKS_FILE, 'utf8')));
  return undefined;
}

function unauthenticated(reason: string, message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', reason, message);
}
