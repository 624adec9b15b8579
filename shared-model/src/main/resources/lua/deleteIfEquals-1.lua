-- Deletes a key only while it still holds the given value, so that an owner never deletes a key that
-- has expired and been taken by another (a recording's dedup key owned by one run, the evictor's lock
-- owned by one worker's token).
-- KEYS[1] key
-- ARGV[1] expected value (the owner's run id or token)
-- Returns 1 when deleted, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
