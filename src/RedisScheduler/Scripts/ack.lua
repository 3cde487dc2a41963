-- ack.lua: a worker finished a task; it is removed for good.
-- KEYS: the seven keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  delivery token from claim.lua
-- ARGV[3]  '1' when an earlier attempt failed (its last error is deleted too), else '0'
-- Returns: 1 when acknowledged; 0 when this delivery's lease was lost (the task was handed out
-- again), in which case nothing is changed: a stale worker can never complete another's delivery.
if redis.call('ZREM', KEYS[3], ARGV[1] .. '|' .. ARGV[2]) == 1 then
  redis.call('HDEL', KEYS[4], ARGV[1])
  if ARGV[3] == '1' then
    redis.call('HDEL', KEYS[7], ARGV[1])
  end
  return 1
end
return 0
