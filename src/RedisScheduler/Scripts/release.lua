-- release.lua: a worker gives a task back unfinished (it is shutting down); the task goes to the
-- front of the ready list at once instead of waiting for its lease to run out.
-- KEYS: the eight keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  delivery token from claim.lua
-- Returns: 1 when released; 0 when this delivery's lease was lost (nothing is changed).
if redis.call('ZREM', KEYS[3], ARGV[1] .. '|' .. ARGV[2]) == 0 then
  return 0
end
set_flag(ARGV[1], 's')
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1
