-- The slots of a business held by a live lease, on the Redis clock (expired leases are not counted,
-- whether or not a later acquire has dropped them yet).
-- KEYS[1] slots of the business (sorted set: member = holder, score = lease expiry in ms)
-- ARGV none
-- Returns the number of live leases.
return redis.call('ZCOUNT', KEYS[1], '(' .. now_ms(), '+inf')
