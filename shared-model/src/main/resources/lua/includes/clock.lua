-- Prelude: LuaScript.load puts this file in front of every script under lua/, so that a script reads the
-- Redis clock with now_ms() instead of its own copy of these lines. Leases and due times are measured
-- on the Redis clock, never a service's own, so that replicas whose clocks differ agree.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
