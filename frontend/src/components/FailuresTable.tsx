import { useEffect, useRef, useState } from 'react';
import { ApiError, isAbortError, type Api, type BusinessControl, type RecentFailure } from '../api';
import { formatTime } from '../format';
import { failureMessageKey } from '../i18n';
import { useI18n } from '../language';
import { RecordingStatus } from './RecordingStatus';
import { businessName } from './opsFormat';
import { Sid } from './Sid';

interface Props {
  api: Api;
  failures: RecentFailure[];
  businesses: BusinessControl[];
  onChanged: () => void;
}

/** The recordings whose last attempt failed, newest first: why, how often, the next attempt, Retry now. */
export function FailuresTable({ api, failures, businesses, onChanged }: Props) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="failures-title">
      <h3 id="failures-title">{t('failuresTitle')}</h3>
      {failures.length === 0 ? (
        <p className="hint" data-testid="ops-no-failures">{t('noFailures')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="ops-failures">
            <thead>
              <tr>
                <th scope="col">{t('columnBusiness')}</th>
                <th scope="col">{t('columnCall')}</th>
                <th scope="col">{t('columnRecording')}</th>
                <th scope="col">{t('columnReason')}</th>
                <th scope="col" className="numeric">{t('columnAttempts')}</th>
                <th scope="col">{t('columnNextAttempt')}</th>
                <th scope="col">{t('columnLastAttempt')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('columnActions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {failures.map((failure) => (
                <FailureRow
                  key={failure.call_sid}
                  api={api}
                  failure={failure}
                  business={businessName(businesses, failure.business_id)}
                  onChanged={onChanged}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** refused: 409 not_retryable; error: anything else, with the api's message. */
type Outcome = { kind: 'done' } | { kind: 'refused' } | { kind: 'error'; message: string } | null;

function FailureRow({ api, failure, business, onChanged }: Omit<Props, 'failures' | 'businesses'> & { failure: RecentFailure; business: string }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const request = useRef<AbortController | null>(null);
  useEffect(() => () => request.current?.abort(), []);

  async function retryNow() {
    if (busy) return;
    const abort = new AbortController();
    request.current = abort;
    setBusy(true);
    setOutcome(null);
    try {
      await api.retryRecording(failure.business_id, failure.call_sid, abort.signal);
      setOutcome({ kind: 'done' });
      onChanged();
    } catch (e) {
      if (isAbortError(e)) return;
      if (e instanceof ApiError && e.code === 'not_retryable') {
        // Its state moved on (downloading, ready, or due): the overview shows where it is now.
        setOutcome({ kind: 'refused' });
        onChanged();
      } else setOutcome({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    } finally {
      if (request.current === abort) {
        request.current = null;
        setBusy(false);
      }
    }
  }

  const reason = failure.error ?? 'unknown';
  return (
    <tr data-testid="ops-failure-row" data-call-sid={failure.call_sid} data-business-id={failure.business_id} data-status={failure.status}>
      <td>{business}</td>
      <td>
        <Sid value={failure.call_sid} />
      </td>
      <td>
        <RecordingStatus status={failure.status} />
      </td>
      <td className="wrap" data-testid="ops-failure-reason" data-reason={reason}>
        {t(failureMessageKey(reason), { code: reason })}
      </td>
      <td className="numeric" data-testid="ops-failure-attempts">{failure.fail_count}</td>
      <td data-testid="ops-failure-next">{failure.next_attempt_at ? formatTime(failure.next_attempt_at, lang) : t('none')}</td>
      <td>{formatTime(failure.updated_at, lang)}</td>
      <td className="wrap">
        <button type="button" className="button-quiet" data-testid="ops-retry-now" disabled={busy} onClick={() => void retryNow()}>
          {t('retryNow')}
        </button>
        {outcome?.kind === 'done' && (
          <span className="hint" role="status" data-testid="ops-retry-result" data-result="started">
            {' '}
            {t('retryRequested')}
          </span>
        )}
        {(outcome?.kind === 'refused' || outcome?.kind === 'error') && (
          <p role="alert" className="error" data-testid="ops-retry-result" data-result={outcome.kind}>
            {outcome.kind === 'refused' ? t('notRetryable') : t('actionFailed', { message: outcome.message })}
          </p>
        )}
      </td>
    </tr>
  );
}
