-- Puts a job in the delayed set, due after a delay measured on the Redis clock.
-- KEYS[1] delayed jobs (sorted set: member = encoded job, score = due time in ms)
-- ARGV[1] encoded job
-- ARGV[2] delay in ms (0 or more)
-- Returns the due time (ms).
local due = now_ms() + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], due, ARGV[1])
return due
