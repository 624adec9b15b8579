-- Takes a job off its stream and puts it back in the delayed set, in one step (no slot free, or not
-- due yet): it is never lost between the two and never spun on.
-- KEYS[1] the job's lane's stream
-- KEYS[2] delayed jobs (sorted set: member = encoded job, score = due time in ms)
-- ARGV[1] consumer group
-- ARGV[2] stream entry id
-- ARGV[3] encoded job
-- ARGV[4] delay in ms (0 or more)
-- Returns the due time (ms).
local due = now_ms() + tonumber(ARGV[4])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], due, ARGV[3])
return due
