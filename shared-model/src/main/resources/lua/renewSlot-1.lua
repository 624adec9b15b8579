-- Extends a holder's slot lease, on the Redis clock, and puts it back when Redis no longer has it (it
-- expired, or a Redis failover lost it): whether the holder still owns its run is PostgreSQL's to say
-- (the run's fence), and the claim already checked the business's limit there.
-- KEYS[1] slots of the business (sorted set: member = holder, score = lease expiry in ms)
-- ARGV[1] holder
-- ARGV[2] lease in ms (the key expires after twice that)
-- Returns 1 when the lease was held and is extended, 0 when it was lost and is put back.
local now = now_ms()
local lease = tonumber(ARGV[2])
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
if expiry and tonumber(expiry) > now then
  return 1
end
return 0
