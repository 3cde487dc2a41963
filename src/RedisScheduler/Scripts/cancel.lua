-- cancel.lua: removes a task that has not started: scheduled, ready, or a continuation waiting for
-- its parents.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  the type's done channel (see ack.lua)
-- Returns: 1 when cancelled; 2 when cancelled and continuations must hear of it (the outbox has
-- entries); 0 when the task is unknown, finished, running or dead-lettered.
local id = ARGV[1]
touch_parents({ id })
local function cancelled()
  redis.call('HDEL', TASKS, id)
  redis.call('HDEL', ERRORS, id)
  redis.call('ZREM', FAILED, id)
  forget_parents({ id })
  announce_done(ARGV[2], { id })
  if notify_dependents({ id }, 'c', {}, now_ms()) > 0 then
    return 2
  end
  return 1
end
if redis.call('ZREM', DUE, id) == 1 or redis.call('ZREM', WAITING, id) == 1 then
  return cancelled()
end
local record = redis.call('HGET', TASKS, id)
if record and flag_of(record) == 's' then
  -- Due but not yet taken: it sits in the ready list. The scan is O(ready length), which stays
  -- short while workers keep up.
  if redis.call('LREM', ready_key(id), 1, id) == 1 then
    return cancelled()
  end
end
return 0
