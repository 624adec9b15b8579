import { useState, type FormEvent } from 'react';
import type { Api, BusinessControl, PrefetchPolicy } from '../api';
import { useI18n } from '../language';
import { MAX_PREFETCH_HOURS, MIN_PREFETCH_HOURS, parsePrefetchForm, type PrefetchFormError } from '../ops/prefetchForm';
import { useBusinessAction } from '../ops/useBusinessAction';

/** A business's prefetch policy at a glance: off, or the last H hours; its daily cap and today's count. */
export function PrefetchPolicySummary({ business, open, onOpen }: { business: BusinessControl; open: boolean; onOpen: () => void }) {
  const { t } = useI18n();
  const policy = business.prefetch;
  return (
    <div className="prefetch">
      <span
        className={`badge ${policy ? 'badge-ready' : 'badge-none'}`}
        data-testid="ops-prefetch"
        data-state={policy ? 'on' : 'off'}
        data-hours={policy?.hours ?? ''}
        data-daily-max-count={policy?.daily_max_count ?? ''}
      >
        {policy ? t('prefetchLastHours', { hours: policy.hours }) : t('prefetchOff')}
      </span>
      {policy && (
        <span className="hint prefetch-detail" data-testid="ops-prefetch-detail">
          {policy.daily_max_count === null ? t('prefetchNoCap') : t('prefetchCap', { count: policy.daily_max_count })}
          {business.prefetched_today !== null && (
            <>
              {', '}
              <span data-testid="ops-prefetched-today" data-count={business.prefetched_today}>
                {t('prefetchedToday', { count: business.prefetched_today })}
              </span>
            </>
          )}
        </span>
      )}
      <button type="button" className="button-quiet button-small" data-testid="ops-prefetch-edit" aria-expanded={open}
        disabled={open} onClick={onOpen}>
        {t('changePrefetch')}
      </button>
    </div>
  );
}

interface EditorProps {
  api: Api;
  business: BusinessControl;
  onChanged: (entry: BusinessControl) => void;
  onClose: () => void;
}

/**
 * Sets a business's prefetch policy (hours 1..720, a daily cap or none) or turns it off. Opened from
 * the summary with the policy in force; closes once the api took the change, or on Cancel.
 */
export function PrefetchEditor({ api, business, onChanged, onClose }: EditorProps) {
  const { t } = useI18n();
  const policy = business.prefetch;
  const { busy, failure, run, clearFailure } = useBusinessAction(onChanged);
  /** What the operator typed that the api would refuse (nothing was sent). */
  const [invalid, setInvalid] = useState<PrefetchFormError | null>(null);
  const [hoursText, setHoursText] = useState(policy ? String(policy.hours) : '');
  const [dailyCapText, setDailyCapText] = useState(policy?.daily_max_count == null ? '' : String(policy.daily_max_count));

  async function apply(next: PrefetchPolicy | null) {
    setInvalid(null);
    const done = await run(async (signal) => {
      const answer = await api.setPrefetch(business.id, next, signal);
      // The answer names the policy only: today's count follows with the next overview.
      return { ...business, prefetch: answer.prefetch, prefetched_today: answer.prefetch ? business.prefetched_today : null };
    });
    if (done) onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const form = parsePrefetchForm(hoursText, dailyCapText);
    if (!form.ok) {
      clearFailure();
      setInvalid(form.error);
      return;
    }
    void apply(form.policy);
  }

  return (
    <div className="prefetch-editor" data-testid="ops-prefetch-editor" data-business-id={business.id}>
      <form className="limit-editor" noValidate onSubmit={submit}>
        <span className="business-name">{t('prefetchFor', { business: business.name })}</span>
        <label className="field-inline">
          {t('prefetchHours')}
          <input
            type="number"
            inputMode="numeric"
            min={MIN_PREFETCH_HOURS}
            max={MAX_PREFETCH_HOURS}
            step={1}
            dir="ltr"
            autoFocus
            data-testid="ops-prefetch-hours"
            aria-invalid={invalid === 'invalid_hours' || undefined}
            value={hoursText}
            onChange={(e) => setHoursText(e.target.value)}
          />
        </label>
        <label className="field-inline">
          {t('prefetchDailyCap')}
          <input
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            dir="ltr"
            placeholder={t('prefetchNoCapPlaceholder')}
            data-testid="ops-prefetch-cap"
            aria-invalid={invalid === 'invalid_cap' || undefined}
            value={dailyCapText}
            onChange={(e) => setDailyCapText(e.target.value)}
          />
        </label>
        <button type="submit" className="button-quiet" data-testid="ops-prefetch-save" disabled={busy}>
          {t('savePrefetch')}
        </button>
        {policy && (
          <button type="button" className="button-quiet" data-testid="ops-prefetch-off" disabled={busy}
            onClick={() => void apply(null)}>
            {t('prefetchTurnOff')}
          </button>
        )}
        <button type="button" className="button-quiet" data-testid="ops-prefetch-cancel" onClick={onClose}>
          {t('cancel')}
        </button>
      </form>
      {invalid ? (
        <p role="alert" className="error" data-testid="ops-prefetch-error" data-error={invalid}>
          {invalid === 'invalid_hours'
            ? t('prefetchHoursInvalid', { min: MIN_PREFETCH_HOURS, max: MAX_PREFETCH_HOURS })
            : t('prefetchCapInvalid')}
        </p>
      ) : (
        failure && (
          <p role="alert" className="error" data-testid="ops-prefetch-error"
            data-error={failure.status === 400 ? 'refused' : 'failed'}>
            {failure.status === 400
              ? t('prefetchRefused', { message: failure.message })
              : t('actionFailed', { message: failure.message })}
          </p>
        )
      )}
    </div>
  );
}
