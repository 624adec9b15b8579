-- Reads the download queue's depth in one atomic step, for metrics and the operations page.
-- Acknowledged entries are deleted from the stream, so its length is the waiting (never delivered)
-- entries plus the pending ones (delivered, not acknowledged yet).
-- KEYS[1] job stream, KEYS[2] delayed jobs (sorted set)
-- ARGV[1] consumer group
-- Returns {waiting, delayed, pending, age of the oldest waiting entry in ms (-1 when none)}.
local length = redis.call('XLEN', KEYS[1])
local delayed = redis.call('ZCARD', KEYS[2])
if length == 0 then
  return {0, delayed, 0, -1}
end
local pending = 0
local last = '0-0'
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if ok then
  for _, group in ipairs(groups) do
    local fields = {}
    for i = 1, #group, 2 do
      fields[group[i]] = group[i + 1]
    end
    if fields['name'] == ARGV[1] then
      pending = tonumber(fields['pending'])
      last = fields['last-delivered-id']
    end
  end
end
local oldest = -1
local first = redis.call('XRANGE', KEYS[1], '(' .. last, '+', 'COUNT', 1)
if #first > 0 then
  local millis = tonumber(string.match(first[1][1], '^(%d+)-'))
  oldest = math.max(0, now_ms() - millis)
end
return {length - pending, delayed, pending, oldest}
