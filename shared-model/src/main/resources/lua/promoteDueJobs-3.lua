-- Moves delayed jobs whose time has come (Redis clock) onto their lane's stream: a job encoded with the
-- background suffix goes back to the background stream, every other to the interactive one, so a retry
-- keeps its lane.
-- KEYS[1] delayed jobs (sorted set: member = encoded job, score = due time in ms)
-- KEYS[2] interactive job stream
-- KEYS[3] background job stream
-- ARGV[1] stream field the job is written to
-- ARGV[2] most jobs to move
-- ARGV[3] the background suffix (":background")
-- Returns the number of jobs moved.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[2]))
local suffix = ARGV[3]
for _, job in ipairs(due) do
  local stream = KEYS[2]
  if string.sub(job, -string.len(suffix)) == suffix then
    stream = KEYS[3]
  end
  redis.call('XADD', stream, '*', ARGV[1], job)
  redis.call('ZREM', KEYS[1], job)
end
return #due
