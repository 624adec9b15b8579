-- Takes one of a business's download slots for a run, on the Redis clock. Expired leases are dropped
-- first, so a crashed worker's slot frees itself. A holder already holding a slot has its lease
-- extended. A background holder (named with ARGV[5] in front) may only take a slot while fewer than
-- ARGV[4] background holders hold one, so that prefetches never hold the slot a person's Play needs.
-- KEYS[1] slots of the business (sorted set: member = holder, score = lease expiry in ms)
-- ARGV[1] holder (run id and delivery)
-- ARGV[2] slot limit
-- ARGV[3] lease in ms (the key expires after twice that)
-- ARGV[4] most slots background holders may hold (the limit less one)
-- ARGV[5] the background holders' prefix ("b:")
-- Returns 1 when the holder holds a slot, 0 when every slot it may take is taken.
local now = now_ms()
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
local prefix = ARGV[5]
if string.sub(ARGV[1], 1, string.len(prefix)) == prefix then
  local background = 0
  for _, holder in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    if string.sub(holder, 1, string.len(prefix)) == prefix then
      background = background + 1
    end
  end
  if background >= tonumber(ARGV[4]) then
    return 0
  end
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 1
