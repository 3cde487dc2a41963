-- activity.lua: a task type's activity buckets (see read_activity in common.lua) of the 60
-- minutes up to now, for dashboards. Reads only: one HMGET of each of the (one or two) hours'
-- hashes they fall in, in the type's slot.
-- KEYS: the twenty keys described in common.lua; the hashes' names are derived from TASKS.
-- ARGV[1]  optional: a time (Unix ms) whose minute comes last; absent or '' for the server's now
-- Returns: { now (Unix ms, server clock), the first minute (Unix ms / 60000), then 60 buckets,
--   oldest first, each as stored (ActivityBucket in C#) or nil when nothing finished that minute }.
local now = now_ms()
local last = math.floor((tonumber(ARGV[1] or '') or now) / 60000)
local first = last - 59
local reply = { now, first }
local minute = first
while minute <= last do
  local hour = math.floor(minute / 60)
  local until_minute = math.min(last, hour * 60 + 59)
  local fields = {}
  for m = minute, until_minute do
    fields[#fields + 1] = int(m % 60)
  end
  local values = redis.call('HMGET', activity_key(int(hour)), unpack(fields))
  for i = 1, #fields do
    -- HMGET answers false for a missing field: kept so the 60 places stay in order.
    reply[#reply + 1] = values[i]
  end
  minute = until_minute + 1
end
return reply
