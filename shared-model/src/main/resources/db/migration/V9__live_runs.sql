-- Where the worker receiving a run serves the bytes it has so far (its internal URL), set once the first
-- bytes proved audio; a run that is taken over starts without one.
alter table recording_runs add column live_url text;
