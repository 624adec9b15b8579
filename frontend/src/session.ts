// The signed-in session, kept in sessionStorage: it lasts for this browser tab's session only.

export interface Session {
  token: string;
  expiresAt: string;
  businessId: number;
  businessName: string;
  user: string;
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
    return session;
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
