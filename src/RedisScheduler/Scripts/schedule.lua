-- schedule.lua: adds one or more tasks of one type to the schedule.
-- KEYS: the seven keys described in common.lua.
-- ARGV[1]  wake channel, published to when a task becomes the earliest one, so sleeping workers wake early
-- ARGV[2]  'abs': each due value is a Unix time in ms; 'rel': each due value is a delay in ms from now
-- ARGV[3], ARGV[4], ...  pairs of (due value, payload)
-- Returns: the new local task ids, in argument order.
-- A due time in the past means due now (the score is clamped to the server's clock).
local now = now_ms()
local relative = ARGV[2] == 'rel'
local count = (#ARGV - 2) / 2
local last = redis.call('INCRBY', KEYS[5], count)
local earliest = first_score(KEYS[1])
local wake = nil
local ids = {}
for i = 1, count do
  local due = tonumber(ARGV[1 + 2 * i])
  if relative then due = now + due end
  if due < now then due = now end
  local id = encode_id(last - count + i)
  redis.call('HSET', KEYS[4], id, 's0|' .. int(now) .. '|' .. int(due) .. '|' .. ARGV[2 + 2 * i])
  redis.call('ZADD', KEYS[1], due, id)
  if earliest == nil or due < earliest then
    earliest = due
    wake = due
  end
  ids[i] = id
end
if wake then
  redis.call('PUBLISH', ARGV[1], int(wake))
end
return ids
