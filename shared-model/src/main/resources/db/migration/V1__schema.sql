-- Businesses (tenants): one provider account each.
create table businesses (
    id          bigserial primary key,
    name        text        not null,
    account_sid varchar(34) not null unique,
    created_at  timestamptz not null default now()
);

-- One row per call, with its recording and the recording's download state (seed 003's status columns).
create table call_logs (
    id                          bigserial primary key,
    business_id                 bigint      not null references businesses (id),
    call_sid                    varchar(34) not null,
    direction                   varchar(32),
    from_number                 varchar(64),
    to_number                   varchar(64),
    call_status                 varchar(32),
    started_at                  timestamptz not null default now(),
    duration_seconds            integer,
    recording_sid               varchar(34),
    recording_url               text,
    recording_status            varchar(32),
    recording_duration_seconds  integer,
    recording_channels          integer,
    recording_download_status   varchar(16) not null default 'missing'
        check (recording_download_status in ('missing', 'queued', 'downloading', 'ready', 'failed')),
    recording_last_enqueue_at   timestamptz,
    recording_fail_count        integer     not null default 0,
    recording_next_retry_at     timestamptz,
    recording_error             varchar(64),
    recording_size_bytes        bigint,
    recording_content_type      varchar(64),
    recording_storage_key       text,
    recording_progress_bytes    bigint      not null default 0,
    recording_progress_total    bigint,
    recording_ready_at          timestamptz,
    created_at                  timestamptz not null default now(),
    updated_at                  timestamptz not null default now(),
    unique (business_id, call_sid)
);
create index call_logs_recent on call_logs (business_id, started_at desc, id desc);

-- One row per download attempt. The partial unique index makes two active runs for one recording
-- impossible, whatever the number of api replicas (an insert loses with ON CONFLICT DO NOTHING).
create table recording_runs (
    id          bigserial primary key,
    business_id bigint      not null references businesses (id),
    call_sid    varchar(34) not null,
    status      varchar(16) not null check (status in ('queued', 'running', 'succeeded', 'failed')),
    attempt     integer     not null default 1,
    fence       bigint      not null default 0,
    -- not_before: the attempt may not start earlier (backoff, Retry-After).
    -- pushed_at: when its job was last put on the Redis queue (the sweep re-pushes orphans).
    not_before  timestamptz not null default now(),
    pushed_at   timestamptz not null default now(),
    lease_until timestamptz,
    worker      varchar(128),
    error       varchar(64),
    http_status integer,
    created_at  timestamptz not null default now(),
    started_at  timestamptz,
    finished_at timestamptz
);
create unique index recording_runs_one_active on recording_runs (business_id, call_sid)
    where status in ('queued', 'running');
create index recording_runs_by_call on recording_runs (business_id, call_sid, id desc);
create index recording_runs_running_lease on recording_runs (lease_until) where status = 'running';
create index recording_runs_queued on recording_runs (pushed_at) where status = 'queued';
