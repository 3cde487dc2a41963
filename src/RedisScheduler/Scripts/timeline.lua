-- timeline.lua: how many scheduled tasks of one type fall due in each of the next 60 minutes and
-- 24 hours, for dashboards. Reads only: 84 ZCOUNTs by score range, each O(log n) whatever the
-- number of tasks; nothing is kept per task for it.
-- KEYS: the twenty keys described in common.lua; reads DUE only. A task waiting for a retry is in
-- DUE with its next attempt's due time, so it is counted; ready and running tasks are not.
-- ARGV[1]  optional: a time (Unix ms) whose minute and hour come first; absent or '' for the
--          server's now. A caller showing several types passes one time, so their buckets line up.
-- Returns: { now (Unix ms, server clock), first minute (Unix ms), first hour (Unix ms),
--   60 counts per minute, 24 counts per hour }. The first minute and the first hour also count
--   the tasks already due and not yet taken from the schedule.
local now = now_ms()
local from = tonumber(ARGV[1] or '') or now
local minute = from - from % 60000
local hour = from - from % 3600000
local reply = { now, minute, hour }
local function count_from(first, step, buckets)
  for i = 0, buckets - 1 do
    local low = '-inf'
    if i > 0 then low = int(first + i * step) end
    reply[#reply + 1] = redis.call('ZCOUNT', DUE, low, '(' .. int(first + (i + 1) * step))
  end
end
count_from(minute, 60000, 60)
count_from(hour, 3600000, 24)
return reply
