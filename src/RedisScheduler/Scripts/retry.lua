-- retry.lua: a handler failed; the task goes back into the schedule, atomically with leaving
-- in-flight, so there is no moment where it is in neither.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  delivery token from claim.lua
-- ARGV[3]  delay in ms before the next attempt
-- ARGV[4]  wake channel (see schedule.lua)
-- ARGV[5]  the error of this attempt (JSON), kept as the task's last error
-- ARGV[6]  this attempt's lateness in whole ms (start minus its due time), or '' when unknown:
--          counted, with the failure, in this minute's activity bucket (common.lua)
-- ARGV[7]  optional, only when this attempt ran under a trace: its traceparent, stored in the record
--          (with_link) so the next attempt's span links to it
-- The record keeps the next attempt's due time (with_due), so that attempt's lateness is measured
-- from when it was due, not from the first attempt's due time.
-- Returns: 1 when rescheduled; 0 when this delivery's lease was lost (nothing is changed).
local now = now_ms()
local activity = read_activity(now)
if not take_lease(ARGV[1], ARGV[2]) then
  return 0
end
local due = now + tonumber(ARGV[3])
local earliest = first_score(DUE)
local record = redis.call('HGET', TASKS, ARGV[1])
if record then
  record = with_due(record, 's', int(due))
  if ARGV[7] then record = with_link(record, ARGV[7]) end
  redis.call('HSET', TASKS, ARGV[1], record)
end
redis.call('HSET', ERRORS, ARGV[1], ARGV[5])
redis.call('ZADD', FAILED, now, ARGV[1])
redis.call('ZADD', DUE, due, ARGV[1])
local late = tonumber(ARGV[6] or '')
if late then add_activity(activity, 0, 1, 1, late, late) else add_activity(activity, 0, 1, 0, 0, 0) end
if earliest == nil or due < earliest then
  publish(ARGV[4], int(due))
end
return 1
