-- schedule.lua: adds one or more tasks of one type to the schedule.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  wake channel, published to when a task becomes the earliest one, so sleeping workers wake early
-- ARGV[2]  'abs': each due value is a Unix time in ms; 'rel': each due value is a delay in ms from now
-- ARGV[3]  '' for generated ids, or '^' / '_' for generated ids of high / low priority, or
--          '#<n>|<continuation public id>': generated ids from n on, reserved earlier with INCRBY,
--          each registered as a parent of that continuation (a batch's tasks); otherwise
--          the caller's local id (one task only, itself starting with '^' or '_' for a priority):
--          while a task with that id exists in any state, the call is ignored (idempotent scheduling)
-- ARGV[4], ARGV[5], ...  pairs of (due value, payload)
-- Returns: the new local task ids, in argument order; { false } when a caller's id already exists.
-- A due time in the past means due now (the score is clamped to the server's clock).
local now = now_ms()
local relative = ARGV[2] == 'rel'
local custom = ARGV[3]
local prefix = ''
local reserved = nil
local continuation = nil
if custom == '^' or custom == '_' then
  prefix = custom
  custom = ''
elseif string.sub(custom, 1, 1) == '#' then
  local bar = string.find(custom, '|', 1, true)
  reserved = tonumber(string.sub(custom, 2, bar - 1))
  continuation = string.sub(custom, bar + 1)
  custom = ''
end
local count = (#ARGV - 3) / 2
if custom ~= '' then
  if redis.call('HEXISTS', KEYS[4], custom) == 1 then
    return { false }
  end
  -- A key used again: the result and success of its last run must not be taken for this one's.
  redis.call('HDEL', KEYS[13], custom)
  redis.call('ZREM', KEYS[14], custom)
  redis.call('ZREM', KEYS[19], custom)
end
local last = 0
if reserved then
  last = reserved + count - 1
elseif custom == '' then
  last = redis.call('INCRBY', KEYS[5], count)
end
local earliest = first_score(KEYS[1])
local wake = nil
local ids = {}
-- One HSET and one ZADD for the whole call: a command per task costs Redis more than the work.
local records = {}
local scores = {}
for i = 1, count do
  local due = tonumber(ARGV[2 + 2 * i])
  if relative then due = now + due end
  if due < now then due = now end
  local id = custom
  if custom == '' then
    id = prefix .. encode_id(last - count + i)
  end
  records[#records + 1] = id
  records[#records + 1] = 's0|' .. int(now) .. '|' .. int(due) .. '|' .. ARGV[3 + 2 * i]
  scores[#scores + 1] = due
  scores[#scores + 1] = id
  if earliest == nil or due < earliest then
    earliest = due
    wake = due
  end
  ids[i] = id
end
redis.call('HSET', KEYS[4], unpack(records))
redis.call('ZADD', KEYS[1], unpack(scores))
if continuation then
  local dependents = {}
  for _, id in ipairs(ids) do
    dependents[#dependents + 1] = id
    dependents[#dependents + 1] = continuation
  end
  redis.call('HSET', KEYS[17], unpack(dependents))
end
if wake then
  redis.call('PUBLISH', ARGV[1], int(wake))
end
return ids
