-- reschedule.lua: moves a task that has not started to a new due time, atomically.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  new due time, Unix ms (a time in the past means now)
-- ARGV[3]  wake channel (see schedule.lua)
-- Returns: 1 when moved; 0 when the task is unknown, finished, running or dead-lettered.
local id = ARGV[1]
local record = redis.call('HGET', TASKS, id)
if not record or flag_of(record) ~= 's' then
  return 0
end
if not redis.call('ZSCORE', DUE, id) then
  -- Already due and waiting in the ready list: it goes back into the schedule.
  if redis.call('LREM', ready_key(id), 1, id) == 0 then
    return 0
  end
end
local now = now_ms()
local due = tonumber(ARGV[2])
if due < now then due = now end
-- The record's dueAt follows the task, so TaskContext.DueAt is the time it was moved to.
redis.call('HSET', TASKS, id, with_due(record, 's', int(due)))
local earliest = first_score(DUE)
redis.call('ZADD', DUE, due, id)
if earliest == nil or due < earliest then
  publish(ARGV[3], int(due))
end
return 1
