import * as client from 'openid-client';
import type { Role } from '../platform/roles';
import { ROLES } from '../platform/roles';
import type { Person } from './session';

/** What the console needs of an OpenID Connect provider. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  rolesClaim: string;
}

/** What a sign-in keeps between the redirect to the provider and its callback (in a signed, short-lived cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Sign-in through an OpenID Connect provider: authorization code flow with PKCE, state and nonce (openid-client). */
export class OidcSignIn {
  private discovered?: Promise<client.Configuration>;

  constructor(private readonly settings: OidcSettings) {}

  /** The provider's configuration, discovered on first use (and again after a failed discovery). */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, undefined, client.ClientSecretPost(this.settings.clientSecret), {
        // a provider on plain http is only accepted as the configured issuer itself (development and tests)
        execute: new URL(this.settings.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw error;
      });
    return this.discovered;
  }

  /** Where to send the browser, and what to keep until it comes back. */
  async start(redirectUri: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const configuration = await this.configuration();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** The person the provider signed in, from the callback URL (code exchanged, ID token verified); throws when anything does not check. */
  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<Person> {
    const configuration = await this.configuration();
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const named = claimAt(claims, this.settings.rolesClaim);
    const roles: Role[] = Array.isArray(named) ? ROLES.filter((role) => named.includes(role)) : [];
    const name = [claims.name, claims.preferred_username, claims.email].find((value): value is string => typeof value === 'string');
    return { sub: claims.sub, roles, name };
  }
}

/** The value at a dotted path of the claims ("realm_access.roles"). */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), claims);
}
