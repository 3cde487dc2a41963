-- registry.lua: the registry of live worker instances (Registry/WorkerRegistry.cs writes it,
-- ITaskMonitor.ListWorkersAsync reads it). Not one of the task type scripts: its three keys share
-- the hash tag {:registry} (':' is never part of a task type name), so they are one cluster slot
-- of their own.
--   KEYS[1] workers ZSET  instance id -> when its registration expires (Unix ms, Redis server clock)
--   KEYS[2] info    HASH  instance id -> its registration (JSON, see Registry/WorkerRecord.cs)
--   KEYS[3] types   HASH  task type name -> when an instance handling it last sent a heartbeat (Unix ms)
-- ARGV[1] the operation:
--   'beat'  ARGV[2] instance id, ARGV[3] heartbeat timeout in ms, ARGV[4] the registration JSON,
--           ARGV[5..] the task types it handles. Registers or renews the instance.
--   'leave' ARGV[2] instance id. Deregisters it.
--   'list'  no more arguments.
-- Every operation first removes at most 100 registrations that have expired (instances that died
-- without deregistering): dead entries are pruned by whoever writes or reads next, without a scan.
-- Returns: 'beat' the server's time (Unix ms); 'leave' 1 if the instance was registered, else 0;
-- 'list' a flat array of instance id, expiry (Unix ms), registration JSON for each live instance,
-- the soonest to expire first.

local now = now_ms()
local expired = redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, 100)
if #expired > 0 then
  redis.call('ZREM', KEYS[1], unpack(expired))
  redis.call('HDEL', KEYS[2], unpack(expired))
end

local op = ARGV[1]
if op == 'beat' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
  for i = 5, #ARGV do
    redis.call('HSET', KEYS[3], ARGV[i], now)
  end
  return now
elseif op == 'leave' then
  redis.call('HDEL', KEYS[2], ARGV[2])
  return redis.call('ZREM', KEYS[1], ARGV[2])
elseif op == 'list' then
  local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local out = {}
  for i = 1, #live, 2 do
    local json = redis.call('HGET', KEYS[2], live[i])
    if json then
      table.insert(out, live[i])
      table.insert(out, live[i + 1])
      table.insert(out, json)
    end
  end
  return out
end
return redis.error_reply('registry.lua: unknown operation ' .. tostring(op))
