import type { RecordingStatusName } from '../api';
import type { MessageKey } from '../i18n';
import { useI18n } from '../language';

const LABELS: Record<RecordingStatusName | 'none', MessageKey> = {
  missing: 'statusMissing',
  queued: 'statusQueued',
  downloading: 'statusDownloading',
  ready: 'statusReady',
  failed: 'statusFailed',
  none: 'statusNone',
};

/** The badge of a recording's download status; `null` is a call without a recording. */
export function RecordingStatus({ status }: { status: RecordingStatusName | null }) {
  const { t } = useI18n();
  const name = status ?? 'none';
  return (
    <span className={`badge badge-${name}`} data-testid="recording-status" data-status={name}>
      {t(LABELS[name])}
    </span>
  );
}
