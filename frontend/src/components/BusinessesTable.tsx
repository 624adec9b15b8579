import { useEffect, useState, type FormEvent } from 'react';
import type { Api, BusinessControl } from '../api';
import { useI18n } from '../language';
import { useBusinessAction } from '../ops/useBusinessAction';
import { PrefetchEditor, PrefetchPolicySummary } from './PrefetchEditor';

export const MIN_LIMIT = 1;
export const MAX_LIMIT = 100;
const COLUMNS = 8;

interface Props {
  api: Api;
  businesses: BusinessControl[];
  defaultLimit: number;
  onChanged: (entry: BusinessControl) => void;
}

/** Every business: downloads in flight against its limit, pause/resume, its limit and its prefetch policy. */
export function BusinessesTable({ api, businesses, defaultLimit, onChanged }: Props) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="businesses-title">
      <h3 id="businesses-title">{t('businessesTitle')}</h3>
      <div className="table-scroll">
        <table className="data-table businesses-table" data-testid="ops-businesses">
          <thead>
            <tr>
              <th scope="col">{t('columnBusiness')}</th>
              <th scope="col">{t('columnInFlight')}</th>
              <th scope="col" className="numeric">{t('columnQueued')}</th>
              <th scope="col" className="numeric">{t('columnDownloading')}</th>
              <th scope="col" className="numeric">{t('columnFailed')}</th>
              <th scope="col">{t('columnState')}</th>
              <th scope="col">{t('columnLimit')}</th>
              <th scope="col">{t('columnPrefetch')}</th>
            </tr>
          </thead>
          <tbody>
            {businesses.map((business) => (
              <BusinessRow key={business.id} api={api} business={business} defaultLimit={defaultLimit} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function BusinessRow({ api, business, defaultLimit, onChanged }: Omit<Props, 'businesses'> & { business: BusinessControl }) {
  const { t } = useI18n();
  const { busy, failure, run: runAction, clearFailure } = useBusinessAction(onChanged);
  /** The limit typed is not one the api takes (nothing was sent). */
  const [invalidLimit, setInvalidLimit] = useState(false);
  const [limitText, setLimitText] = useState(String(business.limit));
  const [editing, setEditing] = useState(false);
  /** The prefetch editor is open, in a row of its own under the business's. */
  const [prefetchOpen, setPrefetchOpen] = useState(false);

  // The field follows the server's figure until the operator starts typing.
  useEffect(() => {
    if (!editing) setLimitText(String(business.limit));
  }, [business.limit, editing]);

  async function run(action: (signal: AbortSignal) => Promise<BusinessControl>) {
    setInvalidLimit(false);
    if (await runAction(action)) setEditing(false);
  }

  function submitLimit(event: FormEvent) {
    event.preventDefault();
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < MIN_LIMIT || limit > MAX_LIMIT) {
      clearFailure();
      setInvalidLimit(true);
      return;
    }
    void run((signal) => api.setBusinessLimit(business.id, limit, signal));
  }

  const share = business.limit > 0 ? Math.min(1, business.in_flight / business.limit) : 0;
  return (
    <>
      <tr data-testid="ops-business-row" data-business-id={business.id} data-paused={String(business.paused)}>
        <th scope="row">
          <span className="business-name">{business.name}</span>
        </th>
        <td>
          <span className="in-flight" data-testid="ops-in-flight" data-in-flight={business.in_flight} data-limit={business.limit}>
            <bdi dir="ltr">
              {business.in_flight} / {business.limit}
            </bdi>
            <meter min={0} max={1} value={share} aria-hidden="true" />
          </span>
        </td>
        <td className="numeric">{business.queued}</td>
        <td className="numeric">{business.downloading}</td>
        <td className="numeric">{business.failed}</td>
        <td>
          <span className={`badge ${business.paused ? 'badge-failed' : 'badge-ready'}`} data-testid="ops-business-state">
            {business.paused ? t('businessPaused') : t('businessRunning')}
          </span>{' '}
          {business.paused ? (
            <button type="button" className="button-quiet" data-testid="ops-resume" disabled={busy}
              onClick={() => void run((signal) => api.resumeBusiness(business.id, signal))}>
              {t('resumeDownloads')}
            </button>
          ) : (
            <button type="button" className="button-quiet" data-testid="ops-pause" disabled={busy}
              onClick={() => void run((signal) => api.pauseBusiness(business.id, signal))}>
              {t('pauseDownloads')}
            </button>
          )}
        </td>
        <td>
          <form className="limit-editor" noValidate onSubmit={submitLimit}>
            <input
              type="number"
              inputMode="numeric"
              min={MIN_LIMIT}
              max={MAX_LIMIT}
              step={1}
              dir="ltr"
              data-testid="ops-limit-input"
              aria-label={t('limitFor', { business: business.name })}
              value={limitText}
              onChange={(e) => {
                setEditing(true);
                setLimitText(e.target.value);
              }}
            />
            <button type="submit" className="button-quiet" data-testid="ops-limit-save" disabled={busy}>
              {t('setLimit')}
            </button>
            {business.limit_overridden ? (
              <button type="button" className="button-quiet" data-testid="ops-limit-default" disabled={busy}
                onClick={() => void run((signal) => api.setBusinessLimit(business.id, null, signal))}>
                {t('useDefaultLimit', { limit: defaultLimit })}
              </button>
            ) : (
              <span className="hint" data-testid="ops-limit-is-default">{t('limitDefault')}</span>
            )}
          </form>
          {invalidLimit ? (
            <p role="alert" className="error" data-testid="ops-action-error" data-error="invalid_limit">
              {t('limitInvalid', { min: MIN_LIMIT, max: MAX_LIMIT })}
            </p>
          ) : (
            failure && (
              <p role="alert" className="error" data-testid="ops-action-error" data-error="failed">
                {t('actionFailed', { message: failure.message })}
              </p>
            )
          )}
        </td>
        <td className="prefetch-cell">
          <PrefetchPolicySummary business={business} open={prefetchOpen} onOpen={() => setPrefetchOpen(true)} />
        </td>
      </tr>
      {prefetchOpen && (
        <tr className="editor-row">
          <td colSpan={COLUMNS}>
            <PrefetchEditor api={api} business={business} onChanged={onChanged} onClose={() => setPrefetchOpen(false)} />
          </td>
        </tr>
      )}
    </>
  );
}
