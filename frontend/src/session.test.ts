// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { rolesOf } from './session';

/** base64url of the JSON's UTF-8 bytes, as a JWT carries it. */
const encode = (value: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jwt = (claims: unknown) => `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;

describe('session', () => {
  it('reads the known roles of the token, ignoring unknown ones', () => {
    expect(rolesOf(jwt({ sub: 'olivia', business_id: 1, roles: ['ops', 'auditor'] }))).toEqual(['ops']);
    expect(rolesOf(jwt({ sub: 'alice', business_id: 1 }))).toEqual([]);
    expect(rolesOf(jwt({ sub: 'alice', roles: 'ops' }))).toEqual([]);
  });

  it('decodes base64url payloads with non-ASCII claims, and survives a malformed token', () => {
    expect(rolesOf(jwt({ sub: 'אוליביה', roles: ['ops'] }))).toEqual(['ops']);
    expect(rolesOf('not a token')).toEqual([]);
    expect(rolesOf('a.%%%.c')).toEqual([]);
  });
});
