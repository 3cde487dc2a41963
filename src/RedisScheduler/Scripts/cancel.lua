-- cancel.lua: removes a task that has not started.
-- KEYS: the fifteen keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  the type's done channel (see ack.lua)
-- Returns: 1 when cancelled; 0 when the task is unknown, finished, running or dead-lettered.
local id = ARGV[1]
if redis.call('ZREM', KEYS[1], id) == 1 then
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[7], id)
  announce_done(ARGV[2], { id })
  return 1
end
local record = redis.call('HGET', KEYS[4], id)
if record and string.sub(record, 1, 1) == 's' then
  -- Due but not yet taken: it sits in the ready list. The scan is O(ready length), which stays
  -- short while workers keep up.
  if redis.call('LREM', ready_key(id), 1, id) == 1 then
    redis.call('HDEL', KEYS[4], id)
    redis.call('HDEL', KEYS[7], id)
    announce_done(ARGV[2], { id })
    return 1
  end
end
return 0
