// The signed-in session, kept in sessionStorage: it lasts for this browser tab's session only.
import { KNOWN_ROLES, type Role } from './api';

export interface Session {
  token: string;
  expiresAt: string;
  businessId: number;
  businessName: string;
  user: string;
  /** Read from the token, for what the UI shows only: the api checks the token itself. */
  roles: readonly Role[];
}

const SESSION_KEY = 'playback.session';

export function loadSession(now: number = Date.now()): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (typeof session.token !== 'string' || Date.parse(session.expiresAt) <= now) {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
    return { ...session, roles: rolesOf(session.token) };
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * The known roles of the JWT's `roles` claim (its payload is base64url JSON). The signature is not
 * checked here: this only decides which links to show; the api decides what the token may do.
 */
export function rolesOf(token: string): Role[] {
  try {
    const payload = token.split('.')[1];
    if (!payload) return [];
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { roles?: unknown };
    if (!Array.isArray(claims.roles)) return [];
    return KNOWN_ROLES.filter((role) => (claims.roles as unknown[]).includes(role));
  } catch {
    return [];
  }
}
