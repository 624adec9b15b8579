-- A ready recording always has a last play (becoming ready counts as one), and the evictor's query,
-- ready recordings by last play then id, is answered in order from the index, without sorting and
-- without reading the table.
update call_logs set recording_last_played_at = coalesce(recording_ready_at, now())
    where recording_download_status = 'ready' and recording_last_played_at is null;
alter table call_logs add constraint call_logs_ready_has_last_play
    check (recording_download_status <> 'ready' or recording_last_played_at is not null);
drop index call_logs_ready_last_played;
create index call_logs_ready_last_played on call_logs (recording_last_played_at, id)
    where recording_download_status = 'ready';
