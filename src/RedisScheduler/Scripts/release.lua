-- release.lua: a worker gives a task back unfinished (it is shutting down); the task goes to the
-- front of the ready list at once instead of waiting for its lease to run out.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  delivery token from claim.lua
-- ARGV[3]  wake channel: idle instances are told, so one of them takes the task at once
-- Returns: 1 when released; 0 when this delivery's lease was lost (nothing is changed).
-- The attempt is given back: it was interrupted, not failed, so shutdowns never use up MaxAttempts.
if not take_lease(ARGV[1], ARGV[2]) then
  return 0
end
local record = redis.call('HGET', TASKS, ARGV[1])
if record then
  local attempt, bar = attempt_of(record)
  if attempt > 0 then attempt = attempt - 1 end
  redis.call('HSET', TASKS, ARGV[1], with_attempt(record, 's', attempt, bar))
end
redis.call('LPUSH', ready_key(ARGV[1]), ARGV[1])
publish(ARGV[3], int(now_ms()))
return 1
