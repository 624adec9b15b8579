-- One lane of the download queue as operators see it, read in one step on the Redis clock.
-- KEYS[1] the lane's job stream
-- KEYS[2] delayed jobs (sorted set, every lane's)
-- ARGV[1] consumer group
-- Returns {waiting (entries no consumer has been handed yet), delayed, pending (handed, not acknowledged),
-- age in ms of the oldest waiting entry by its id's millisecond part (0 when none waits)}.
-- Acknowledged entries are deleted, so the stream's length is the waiting and the pending together.
local now = now_ms()
local delayed = redis.call('ZCARD', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0, delayed, 0, 0}
end
local length = redis.call('XLEN', KEYS[1])
local last_delivered = '0-0'
local pending = 0
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local fields = {}
  for i = 1, #group, 2 do
    fields[group[i]] = group[i + 1]
  end
  if fields['name'] == ARGV[1] then
    last_delivered = fields['last-delivered-id']
    pending = fields['pending']
  end
end
local oldest = 0
local first = redis.call('XRANGE', KEYS[1], '(' .. last_delivered, '+', 'COUNT', 1)
if #first > 0 then
  oldest = math.max(0, now - tonumber(string.match(first[1][1], '^(%d+)')))
end
return {math.max(0, length - pending), delayed, pending, oldest}
