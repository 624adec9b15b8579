import { useCallback, useMemo, useRef, useState } from 'react';
import { createApi } from '../api';
import { useI18n } from '../language';
import { clearSession, loadSession, saveSession, type Session } from '../session';
import { CallsPage } from './CallsPage';
import { SignIn } from './SignIn';

export function App({ fetchImpl }: { fetchImpl?: typeof fetch }) {
  const { t, toggle } = useI18n();
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const signOut = useCallback(() => {
    clearSession();
    sessionRef.current = null;
    setSession(null);
  }, []);

  const signIn = useCallback((signedIn: Session) => {
    saveSession(signedIn);
    sessionRef.current = signedIn;
    setSession(signedIn);
  }, []);

  // Any 401 (expired or revoked token) takes the user back to sign-in.
  const api = useMemo(
    () => createApi({ fetch: fetchImpl, getToken: () => sessionRef.current?.token ?? null, onUnauthorized: signOut }),
    [fetchImpl, signOut],
  );

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-name">{t('appName')}</h1>
        <div className="header-actions">
          {session && (
            <span className="signed-in-as" data-testid="signed-in-as">
              {t('signedInAs', { user: session.user, business: session.businessName })}
            </span>
          )}
          <button
            type="button"
            className="button-quiet"
            data-testid="language-toggle"
            aria-label={t('switchLanguageLabel')}
            title={t('switchLanguageLabel')}
            onClick={toggle}
          >
            {t('switchLanguage')}
          </button>
          {session && (
            <button type="button" className="button-quiet" data-testid="sign-out" onClick={signOut}>
              {t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main className="app-main">
        {session ? <CallsPage key={session.token} api={api} /> : <SignIn api={api} onSignedIn={signIn} />}
      </main>
    </div>
  );
}
