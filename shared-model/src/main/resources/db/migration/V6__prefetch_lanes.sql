-- The lane a download waits in: a person pressed Play (interactive), or the business's prefetch policy
-- fetches the recording ahead of time (background). A retry keeps the lane of the attempt it follows.
alter table recording_runs add column lane text not null default 'interactive'
    check (lane in ('interactive', 'background'));
create index recording_runs_background_today on recording_runs (business_id, created_at)
    where lane = 'background' and attempt = 1;

-- A business's prefetch policy, set by operators: completed recordings of calls that started within the
-- last prefetch_hours are fetched in the background (null: off), at most prefetch_daily_max_count a day.
alter table business_controls add column prefetch_hours integer check (prefetch_hours between 1 and 720);
alter table business_controls add column prefetch_daily_max_count integer check (prefetch_daily_max_count > 0);

alter table ops_audit drop constraint ops_audit_action_check;
alter table ops_audit add constraint ops_audit_action_check
    check (action in ('pause', 'resume', 'set_limit', 'retry_now', 'set_prefetch'));
