import type { BusinessControl, StuckRun } from '../api';
import { formatTime } from '../format';
import { useI18n } from '../language';
import { businessName } from './opsFormat';
import { Sid } from './Sid';

/** Runs still marked running whose lease ran out: a worker died mid-download (should be empty). */
export function StuckRunsTable({ runs, businesses }: { runs: StuckRun[]; businesses: BusinessControl[] }) {
  const { t, lang } = useI18n();
  return (
    <section className="card" aria-labelledby="stuck-title" data-testid="ops-stuck-runs" data-count={runs.length}>
      <h3 id="stuck-title">{t('stuckTitle')}</h3>
      {runs.length === 0 ? (
        <p className="hint">{t('noStuck')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col" className="numeric">{t('columnRun')}</th>
                <th scope="col">{t('columnBusiness')}</th>
                <th scope="col">{t('columnCall')}</th>
                <th scope="col">{t('columnWorker')}</th>
                <th scope="col">{t('columnLeaseUntil')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.run_id} data-testid="ops-stuck-run">
                  <td className="numeric">{run.run_id}</td>
                  <td>{businessName(businesses, run.business_id)}</td>
                  <td>
                    <Sid value={run.call_sid} />
                  </td>
                  <td>{run.worker ?? t('none')}</td>
                  <td>{formatTime(run.lease_until, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
