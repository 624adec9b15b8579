-- What the provider sends is stored as sent: phone numbers may be SIP URIs or client identities of any
-- length, and a status or direction this version does not know is still a call worth keeping. The
-- webhook body limit bounds these values, not the columns. The content type comes from the provider's
-- response header and the worker id from a host name; neither has a length we control.
alter table call_logs
    alter column direction type text,
    alter column from_number type text,
    alter column to_number type text,
    alter column call_status type text,
    alter column recording_status type text,
    alter column recording_content_type type text;
alter table recording_runs
    alter column worker type text;
