-- A run whose recording the provider replaced (a new recording SID for the call) before it finished is
-- superseded: it is no longer active, and its worker's compare-and-set finds it so and commits nothing.
alter table recording_runs drop constraint recording_runs_status_check;
alter table recording_runs add constraint recording_runs_status_check
    check (status in ('queued', 'running', 'succeeded', 'failed', 'superseded'));
