import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createApi } from '../api';
import { useI18n } from '../language';
import { clearSession, loadSession, saveSession, type Session } from '../session';
import { CallsPage } from './CallsPage';
import { OperationsPage } from './OperationsPage';
import { SignIn } from './SignIn';

type Page = 'calls' | 'operations';

const OPERATIONS_HASH = '#/operations';

function pageOfLocation(): Page {
  return window.location.hash === OPERATIONS_HASH ? 'operations' : 'calls';
}

export function App({ fetchImpl }: { fetchImpl?: typeof fetch }) {
  const { t, toggle } = useI18n();
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [page, setPage] = useState<Page>(pageOfLocation);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  useEffect(() => {
    const follow = () => setPage(pageOfLocation());
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  const signOut = useCallback(() => {
    clearSession();
    sessionRef.current = null;
    setSession(null);
    // The next user starts on Recent calls, whatever page this one was on.
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname + window.location.search);
    setPage('calls');
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

  const operator = session?.roles.includes('ops') ?? false;

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-name">{t('appName')}</h1>
        {session && operator && (
          <nav className="app-nav" aria-label={t('navigation')}>
            <a href="#/" data-testid="nav-calls" aria-current={page === 'calls' ? 'page' : undefined}>
              {t('recentCalls')}
            </a>
            <a href={OPERATIONS_HASH} data-testid="nav-operations" aria-current={page === 'operations' ? 'page' : undefined}>
              {t('navOperations')}
            </a>
          </nav>
        )}
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
        {session ? (
          <>
            {/* The operations page is shown to whoever opens its address: the api answers 403 without the role. */}
            {page === 'operations' && <OperationsPage key={`operations:${session.token}`} api={api} />}
            {/* Recent calls stays mounted under the operations page, so the player keeps playing. */}
            <CallsPage key={`calls:${session.token}`} api={api} hidden={page !== 'calls'} />
          </>
        ) : (
          <SignIn api={api} onSignedIn={signIn} />
        )}
      </main>
    </div>
  );
}
