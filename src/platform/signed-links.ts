import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { Config } from './config';
import { failedPrecondition } from './errors';
import { keptSecret } from './kept-secret';

/** What a signed link grants: one resource, for one purpose, to the party it was given to, until it expires. */
export interface LinkGrant {
  /** What the link is for, e.g. "supplier-purchase-order"; a link for one purpose never opens another. */
  purpose: string;
  /** The resource the link opens: an id of letters, digits, _ and - (no dots). */
  resourceId: string;
  /** Who the link was given to (e.g. the PO's supplier); not in the link, checked against the resource's owner. */
  party: string;
  /** Which issue of the resource's link this is: issuing a new one revokes the earlier generations. */
  generation: number;
  expireTime: Date;
}

/** What links of one kind are for, where their page is served, and how long they work. */
export interface LinkKind {
  purpose: string;
  /** The page's path; the token follows it. */
  path: string;
  ttlDays: number;
}

/** A resource links open: its id, who it belongs to, and its current link generation. */
export interface LinkHolder {
  resourceId: string;
  party: string;
  generation: number;
}

/** A link that opened its resource, and the issue of the link it was (for who did what through it). */
export interface OpenedLink {
  holder: LinkHolder;
  generation: number;
  expireTime: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const REFUSALS: Record<LinkRefusal, string> = {
  LINK_INVALID: 'this link is not valid: it may have been changed or cut short; use the link in your latest email',
  LINK_EXPIRED: 'this link has expired; ask us to send it again',
  LINK_REVOKED: 'this link was replaced by a newer one; use the link in your latest email',
};

/** A link's token as read, before its signature is checked. */
export interface PresentedLink {
  resourceId: string;
  generation: number;
  expireTime: Date;
  signature: string;
}

/** Why a presented link does not open its resource. */
export type LinkRefusal = 'LINK_INVALID' | 'LINK_EXPIRED' | 'LINK_REVOKED';

const TOKEN = /^([\w-]{1,64})\.([1-9]\d{0,8})\.(\d{1,12})\.([\w-]{43})$/;

/**
 * Links that need no account: `<resource>.<generation>.<expiry>.<HMAC-SHA256>` under a server key, the
 * signature covering the purpose and the party as well, so a link cannot be moved to another resource,
 * party, purpose, generation or expiry without the key.
 */
export class SignedLinks {
  constructor(
    private readonly secret: Uint8Array,
    /** The console's address as the link's reader reaches it (CONSOLE_PUBLIC_URL, or where it listens). */
    private readonly publicUrl: () => string,
  ) {}

  /** The absolute URL of `path` followed by the grant's token. */
  url(path: string, grant: LinkGrant): string {
    return `${this.publicUrl().replace(/\/+$/, '')}${path}/${this.token(grant)}`;
  }

  /** The link of this kind to the holder's page in its current generation, working for the kind's TTL from now. */
  urlFor(kind: LinkKind, holder: LinkHolder, now: Date): string {
    const expireTime = new Date(now.getTime() + kind.ttlDays * DAY_MS);
    return this.url(kind.path, { purpose: kind.purpose, resourceId: holder.resourceId, party: holder.party, generation: holder.generation, expireTime });
  }

  /**
   * The resource a token of this kind opens at `now` (found by `find`), or FAILED_PRECONDITION LINK_INVALID
   * (not a token we signed for this resource, party and purpose: tampered, cut short or moved), LINK_EXPIRED
   * or LINK_REVOKED (a newer link was issued). A refusal says nothing about the resource.
   */
  async open(kind: LinkKind, token: string, find: (resourceId: string) => Promise<LinkHolder | undefined>, now: Date): Promise<OpenedLink> {
    const link = SignedLinks.read(token);
    const holder = link && (await find(link.resourceId));
    const refusal = !link || !holder ? 'LINK_INVALID' : this.refusal(link, kind.purpose, holder.party, holder.generation, now);
    if (refusal) throw failedPrecondition(refusal, REFUSALS[refusal]);
    return { holder: holder!, generation: link!.generation, expireTime: link!.expireTime };
  }

  /** The grant as a token. */
  token(grant: LinkGrant): string {
    const expiry = Math.floor(grant.expireTime.getTime() / 1000);
    return `${grant.resourceId}.${grant.generation}.${expiry}.${this.sign(grant.purpose, grant.resourceId, grant.party, grant.generation, expiry)}`;
  }

  /** Reads a token's parts; undefined when it is not a token at all. */
  static read(token: string): PresentedLink | undefined {
    const match = TOKEN.exec(token);
    if (!match) return undefined;
    return { resourceId: match[1], generation: Number(match[2]), expireTime: new Date(Number(match[3]) * 1000), signature: match[4] };
  }

  /**
   * Why the link does not open the resource (owned by `party`, whose current link generation is
   * `generation`) at `now`, or undefined when it does. The signature is checked first, in constant time.
   */
  refusal(link: PresentedLink, purpose: string, party: string, generation: number, now: Date): LinkRefusal | undefined {
    const expected = Buffer.from(this.sign(purpose, link.resourceId, party, link.generation, Math.floor(link.expireTime.getTime() / 1000)));
    const presented = Buffer.from(link.signature);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return 'LINK_INVALID';
    if (link.expireTime.getTime() <= now.getTime()) return 'LINK_EXPIRED';
    if (link.generation !== generation) return 'LINK_REVOKED';
    return undefined;
  }

  private sign(purpose: string, resourceId: string, party: string, generation: number, expiry: number): string {
    return createHmac('sha256', this.secret).update([purpose, resourceId, party, generation, expiry].join('\n')).digest('base64url');
  }
}

/** The links' HMAC key: LINK_SIGNING_SECRET, or a secret generated once and kept in DATA_DIR/link-secret. */
export async function linkSecret(config: Pick<Config, 'LINK_SIGNING_SECRET' | 'DATA_DIR'>): Promise<Uint8Array> {
  return Buffer.from(config.LINK_SIGNING_SECRET ?? (await keptSecret(path.resolve(config.DATA_DIR, 'link-secret'), 48)));
}
