-- dead.lua: a task failed for good (attempts used up, or a failure that cannot succeed); it moves
-- to the dead letters, atomically with leaving in-flight.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  delivery token from claim.lua
-- ARGV[3]  the reason (JSON)
-- ARGV[4]  the type's done channel (see ack.lua)
-- ARGV[5]  optional: this attempt's lateness in whole ms ('' or absent for none), counted with the
--          failure in this minute's activity bucket (common.lua)
-- Returns: 1 when dead-lettered; 2 when dead-lettered and continuations must hear of it (the
-- outbox has entries); 0 when this delivery's lease was lost (nothing is changed).
local now = now_ms()
local activity = read_activity(now)
if not take_lease(ARGV[1], ARGV[2]) then
  return 0
end
local notified = bury(ARGV[1], now, ARGV[3])
local late = tonumber(ARGV[5] or '')
if late then add_activity(activity, 0, 1, 1, late, late) else add_activity(activity, 0, 1, 0, 0, 0) end
announce_done(ARGV[4], { ARGV[1] })
if notified > 0 then
  return 2
end
return 1
