-- Cache retention: when a stored recording was last served, so that the worker's evictor can drop the
-- ones nobody plays (idle too long, or the oldest played when the stored bytes exceed their budget).
-- A recording counts as played when it became ready.
alter table call_logs add column recording_last_played_at timestamptz;
update call_logs set recording_last_played_at = recording_ready_at
    where recording_download_status = 'ready';
create index call_logs_ready_last_played on call_logs (recording_last_played_at)
    where recording_download_status = 'ready';
