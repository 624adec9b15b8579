-- What operators set per business: a pause (no new download starts) and a slot limit overriding
-- playback.slots.per-business (null: the default). A business without a row has neither.
create table business_controls (
    business_id       bigint primary key references businesses (id),
    paused            boolean     not null default false,
    concurrency_limit integer check (concurrency_limit between 1 and 100),
    updated_at        timestamptz not null default now(),
    updated_by        text
);

-- Every operator action, written in the transaction of the change it records.
create table ops_audit (
    id          bigserial primary key,
    at          timestamptz not null default now(),
    actor       text        not null,
    action      text        not null check (action in ('pause', 'resume', 'set_limit', 'retry_now')),
    business_id bigint      not null references businesses (id),
    call_sid    varchar(34),
    detail      text
);
create index ops_audit_newest on ops_audit (at desc, id desc);
