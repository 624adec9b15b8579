-- Takes one of a business's download slots for a run, on the Redis clock. Expired leases are dropped
-- first, so a crashed worker's slot frees itself.
-- KEYS[1] slots of the business (sorted set: member = holder, score = lease expiry in ms)
-- ARGV[1] holder (run id and delivery), ARGV[2] slot limit, ARGV[3] lease in ms
-- Returns 1 when the holder holds a slot, 0 when every slot is taken.
local now = now_ms()
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return 1
end
return 0
