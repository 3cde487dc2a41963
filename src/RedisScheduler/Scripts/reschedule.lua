-- reschedule.lua: moves a task that has not started to a new due time, atomically.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  new due time, Unix ms (a time in the past means now)
-- ARGV[3]  wake channel (see schedule.lua)
-- Returns: 1 when moved; 0 when the task is unknown, finished, running or dead-lettered.
local id = ARGV[1]
local record = redis.call('HGET', KEYS[4], id)
if not record or string.sub(record, 1, 1) ~= 's' then
  return 0
end
if not redis.call('ZSCORE', KEYS[1], id) then
  -- Already due and waiting in the ready list: it goes back into the schedule.
  if redis.call('LREM', ready_key(id), 1, id) == 0 then
    return 0
  end
end
local now = now_ms()
local due = tonumber(ARGV[2])
if due < now then due = now end
-- The record's dueAt follows the task, so TaskContext.DueAt is the time it was moved to.
local first = string.find(record, '|', 1, true)
local second = string.find(record, '|', first + 1, true)
local third = string.find(record, '|', second + 1, true)
redis.call('HSET', KEYS[4], id, string.sub(record, 1, second) .. int(due) .. string.sub(record, third))
local earliest = first_score(KEYS[1])
redis.call('ZADD', KEYS[1], due, id)
if earliest == nil or due < earliest then
  redis.call('PUBLISH', ARGV[3], int(due))
end
return 1
