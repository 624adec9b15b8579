-- Deletes a key only while it still holds the given value (a dedup key owned by one run).
-- KEYS[1] key
-- ARGV[1] expected value
-- Returns 1 when deleted, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
