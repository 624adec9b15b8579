import { useEffect, useRef, useState } from 'react';
import { ApiError, isAbortError, type Api, type BusinessControl, type RecentFailure } from '../api';
import { formatTime, isolateLtr } from '../format';
import { failureMessageKey } from '../i18n';
import { useI18n } from '../language';
import { RecordingStatus } from './RecordingStatus';
import { businessName, shortSid } from './opsFormat';
import { Sid } from './Sid';

interface Props {
  api: Api;
  failures: RecentFailure[];
  businesses: BusinessControl[];
  onChanged: () => void;
}

/**
 * What the last Retry now did. Shown above the table, not in the row: a recording that is retried
 * leaves the list once its new attempt succeeds. refused: 409 not_retryable.
 */
type LastRetry =
  | { callSid: string; kind: 'pending' }
  | { callSid: string; kind: 'started' }
  | { callSid: string; kind: 'refused' }
  | { callSid: string; kind: 'error'; message: string };

/** The recordings whose last attempt failed, newest first: why, how often, the next attempt, Retry now. */
export function FailuresTable({ api, failures, businesses, onChanged }: Props) {
  const { t, lang } = useI18n();
  const [lastRetry, setLastRetry] = useState<LastRetry | null>(null);
  const request = useRef<AbortController | null>(null);
  useEffect(() => () => request.current?.abort(), []);

  async function retryNow(failure: RecentFailure) {
    if (request.current) return;
    const abort = new AbortController();
    request.current = abort;
    const callSid = failure.call_sid;
    setLastRetry({ callSid, kind: 'pending' });
    try {
      await api.retryRecording(failure.business_id, callSid, abort.signal);
      setLastRetry({ callSid, kind: 'started' });
      onChanged();
    } catch (e) {
      if (isAbortError(e)) return;
      if (e instanceof ApiError && e.code === 'not_retryable') {
        // Its state moved on (downloading, ready, or due): the overview shows where it is now.
        setLastRetry({ callSid, kind: 'refused' });
        onChanged();
      } else {
        setLastRetry({ callSid, kind: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    } finally {
      if (request.current === abort) request.current = null;
    }
  }

  const call = lastRetry ? isolateLtr(shortSid(lastRetry.callSid)) : '';
  return (
    <section className="card" aria-labelledby="failures-title">
      <h3 id="failures-title">{t('failuresTitle')}</h3>
      {lastRetry && lastRetry.kind !== 'pending' && (
        <p
          role={lastRetry.kind === 'started' ? 'status' : 'alert'}
          className={lastRetry.kind === 'started' ? 'hint' : 'error'}
          data-testid="ops-retry-result"
          data-result={lastRetry.kind}
          data-call-sid={lastRetry.callSid}
        >
          {lastRetry.kind === 'started' && t('retryRequested', { call })}
          {lastRetry.kind === 'refused' && t('notRetryable', { call })}
          {lastRetry.kind === 'error' && t('retryFailed', { call, message: lastRetry.message })}
        </p>
      )}
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
              {failures.map((failure) => {
                const reason = failure.error ?? 'unknown';
                return (
                  <tr
                    key={failure.call_sid}
                    data-testid="ops-failure-row"
                    data-call-sid={failure.call_sid}
                    data-business-id={failure.business_id}
                    data-status={failure.status}
                  >
                    <td>{businessName(businesses, failure.business_id)}</td>
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
                    <td data-testid="ops-failure-next">
                      {failure.next_attempt_at ? formatTime(failure.next_attempt_at, lang) : t('none')}
                    </td>
                    <td>{formatTime(failure.updated_at, lang)}</td>
                    <td>
                      <button
                        type="button"
                        className="button-quiet"
                        data-testid="ops-retry-now"
                        disabled={lastRetry?.kind === 'pending'}
                        onClick={() => void retryNow(failure)}
                      >
                        {t('retryNow')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
