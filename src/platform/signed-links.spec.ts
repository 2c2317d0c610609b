import { SignedLinks, type LinkGrant } from './signed-links';

const links = new SignedLinks(Buffer.from('a-test-key-of-at-least-32-bytes-0123456789'), () => 'https://restock.example.com/');
const grant: LinkGrant = {
  purpose: 'supplier-purchase-order',
  resourceId: '0192f3a0-0000-7000-8000-000000000001',
  party: 'supplier-1',
  generation: 2,
  expireTime: new Date('2027-01-31T00:00:00Z'),
};
const now = new Date('2027-01-01T00:00:00Z');

function refusal(token: string, { purpose = grant.purpose, party = grant.party, generation = grant.generation, at = now } = {}) {
  const link = SignedLinks.read(token);
  return link ? links.refusal(link, purpose, party, generation, at) : 'NOT_A_TOKEN';
}

describe('SignedLinks', () => {
  const token = links.token(grant);

  it('builds an absolute URL under the public address and opens what it was issued for', () => {
    expect(links.url('/supplier/purchase-orders', grant)).toBe(`https://restock.example.com/supplier/purchase-orders/${token}`);
    expect(SignedLinks.read(token)).toMatchObject({ resourceId: grant.resourceId, generation: 2, expireTime: grant.expireTime });
    expect(refusal(token)).toBeUndefined();
  });

  it('refuses a link changed in any part, or checked for another party or purpose', () => {
    const [resource, generation, expiry, signature] = token.split('.');
    expect(refusal([resource.replace(/1$/, '2'), generation, expiry, signature].join('.'))).toBe('LINK_INVALID');
    expect(refusal([resource, '3', expiry, signature].join('.'), { generation: 3 })).toBe('LINK_INVALID');
    expect(refusal([resource, generation, String(Number(expiry) + 86400), signature].join('.'))).toBe('LINK_INVALID');
    expect(refusal([resource, generation, expiry, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`].join('.'))).toBe('LINK_INVALID');
    expect(refusal(token, { party: 'supplier-2' })).toBe('LINK_INVALID');
    expect(refusal(token, { purpose: 'customer-order' })).toBe('LINK_INVALID');
    expect(refusal(new SignedLinks(Buffer.from('another-key-of-at-least-32-bytes-987654321'), () => '').token(grant))).toBe('LINK_INVALID');
    expect(refusal(`${token}x`)).toBe('NOT_A_TOKEN');
  });

  it('refuses a genuine link once it expired, or once a newer generation was issued', () => {
    expect(refusal(token, { at: grant.expireTime })).toBe('LINK_EXPIRED');
    expect(refusal(token, { generation: 3 })).toBe('LINK_REVOKED');
  });
});

describe('SignedLinks.open', () => {
  const kind = { purpose: grant.purpose, path: '/supplier/purchase-orders', ttlDays: 30 };
  const holder = { resourceId: grant.resourceId, party: grant.party, generation: 2 };
  const find = async (id: string) => (id === holder.resourceId ? holder : undefined);
  const token = links.urlFor(kind, holder, now).split('/').pop()!;

  it('opens the resource a link of its kind was issued for, until the TTL runs out', async () => {
    await expect(links.open(kind, token, find, now)).resolves.toEqual({ holder, generation: 2, expireTime: new Date('2027-01-31T00:00:00Z') });
    await expect(links.open(kind, token, find, new Date('2027-01-31T00:00:00Z'))).rejects.toMatchObject({ reason: 'LINK_EXPIRED' });
  });

  it('refuses with a reason and no detail: another kind, an unknown resource, a garbled token, a newer generation', async () => {
    await expect(links.open({ ...kind, purpose: 'customer-order' }, token, find, now)).rejects.toMatchObject({ kind: 'FAILED_PRECONDITION', reason: 'LINK_INVALID' });
    await expect(links.open(kind, token, async () => undefined, now)).rejects.toMatchObject({ reason: 'LINK_INVALID' });
    await expect(links.open(kind, 'not-a-link', find, now)).rejects.toMatchObject({ reason: 'LINK_INVALID' });
    await expect(links.open(kind, token, async () => ({ ...holder, generation: 3 }), now)).rejects.toMatchObject({ reason: 'LINK_REVOKED' });
  });
});
