import { invalidArgument } from './errors';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A list request's page size (AIP-158): 0 means the default, above the maximum means the maximum. */
export function pageSize(requested: number): number {
  if (requested < 0) throw invalidArgument([{ field: 'page_size', description: 'must not be negative' }]);
  return Math.min(requested || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

/** An opaque token for the position after the last item of a page. */
export function encodePageToken(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a page token stands for; undefined for the first page. */
export function decodePageToken<T>(token: string, isValid: (position: unknown) => position is T): T | undefined {
  if (token === '') return undefined;
  try {
    const position: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isValid(position)) return position;
  } catch {
    // fall through: not a token this service issued
  }
  throw invalidArgument([{ field: 'page_token', description: 'is not a token from a previous page' }]);
}
