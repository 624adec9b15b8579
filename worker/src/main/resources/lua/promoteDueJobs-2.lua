-- Moves delayed jobs whose time has come (Redis clock) onto the job stream.
-- KEYS[1] delayed jobs (sorted set: member = encoded job, score = due time in ms)
-- KEYS[2] job stream
-- ARGV[1] stream field name, ARGV[2] most jobs to move
-- Returns the number of jobs moved.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[2]))
for _, job in ipairs(due) do
  redis.call('XADD', KEYS[2], '*', ARGV[1], job)
  redis.call('ZREM', KEYS[1], job)
end
return #due
