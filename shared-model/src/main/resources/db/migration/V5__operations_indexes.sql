-- What the operations overview reads every few seconds, without scanning every call or run:
-- attempts finished per minute, recordings on their way or failed per business, the newest failures.
create index recording_runs_finished on recording_runs (finished_at) where finished_at is not null;
create index call_logs_unsettled on call_logs (business_id, recording_download_status)
    where recording_download_status in ('queued', 'downloading', 'failed');
create index call_logs_recent_failures on call_logs (updated_at desc, id desc)
    where recording_error is not null and recording_download_status in ('queued', 'failed');
