import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isAbortError, type Api, type Business, type Role } from '../api';
import { useI18n } from '../language';
import { rolesOf, type Session } from '../session';

type Businesses = { kind: 'loading' } | { kind: 'loaded'; list: Business[] } | { kind: 'error'; message: string };

const DEFAULT_USER = 'demo';

/**
 * Demo sign-in: pick a business, optionally a user name, and get a token from the dev endpoint; an
 * operator (platform staff) also asks for the operations role.
 */
export function SignIn({ api, onSignedIn }: { api: Api; onSignedIn: (session: Session) => void }) {
  const { t } = useI18n();
  const [businesses, setBusinesses] = useState<Businesses>({ kind: 'loading' });
  const [businessId, setBusinessId] = useState<number | null>(null);
  const [user, setUser] = useState(DEFAULT_USER);
  const [operator, setOperator] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submitAbort = useRef<AbortController | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    api
      .listBusinesses(abort.signal)
      .then((list) => {
        setBusinesses({ kind: 'loaded', list });
        setBusinessId(list[0]?.id ?? null);
      })
      .catch((e: unknown) => {
        if (!isAbortError(e)) setBusinesses({ kind: 'error', message: messageOf(e) });
      });
    return () => {
      abort.abort();
      submitAbort.current?.abort();
    };
  }, [api]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (submitting || businesses.kind !== 'loaded' || businessId === null) return;
    const business = businesses.list.find((b) => b.id === businessId);
    const name = user.trim() || DEFAULT_USER;
    const abort = new AbortController();
    submitAbort.current = abort;
    setSubmitting(true);
    setError(null);
    try {
      const roles: Role[] = operator ? ['ops'] : [];
      const issued = await api.issueToken(businessId, name, roles, abort.signal);
      onSignedIn({
        token: issued.token,
        expiresAt: issued.expires_at,
        businessId,
        businessName: business?.name ?? String(businessId),
        user: name,
        roles: rolesOf(issued.token),
      });
    } catch (e) {
      if (isAbortError(e)) return;
      setError(t('signInFailed', { message: messageOf(e) }));
      setSubmitting(false);
    }
  }

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('signInTitle')}</h2>
      <p className="hint">{t('signInHint')}</p>
      {businesses.kind === 'loading' && <p>{t('loadingBusinesses')}</p>}
      {businesses.kind === 'error' && (
        <p role="alert" className="error" data-testid="signin-error">
          {t('businessesFailed', { message: businesses.message })}
        </p>
      )}
      {businesses.kind === 'loaded' && businesses.list.length === 0 && <p>{t('noBusinesses')}</p>}
      {businesses.kind === 'loaded' && businesses.list.length > 0 && (
        <form onSubmit={submit} className="sign-in-form">
          <label>
            <span>{t('business')}</span>
            <select
              data-testid="signin-business"
              value={businessId ?? ''}
              onChange={(e) => setBusinessId(Number(e.target.value))}
            >
              {businesses.list.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('userName')}</span>
            <input
              data-testid="signin-user"
              value={user}
              autoComplete="username"
              onChange={(e) => setUser(e.target.value)}
            />
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              data-testid="signin-operator"
              checked={operator}
              onChange={(e) => setOperator(e.target.checked)}
            />
            <span>{t('signInAsOperator')}</span>
          </label>
          <button type="submit" className="button-primary" data-testid="signin-submit" disabled={submitting}>
            {submitting ? t('signingIn') : t('signIn')}
          </button>
          {error && (
            <p role="alert" className="error" data-testid="signin-error">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
