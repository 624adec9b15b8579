-- Extends a holder's slot lease, on the Redis clock, if it still holds it.
-- KEYS[1] slots of the business (sorted set: member = holder, score = lease expiry in ms)
-- ARGV[1] holder
-- ARGV[2] lease in ms (the key expires after twice that)
-- Returns 1 when renewed, 0 when the lease was lost (expired or removed): the holder must stop.
local now = now_ms()
local lease = tonumber(ARGV[2])
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 1
