-- schedule.lua: adds one or more tasks of one type to the schedule.
-- KEYS: only the keys of common.lua it uses (DUE, TASKS, SEQ, RESULTS, DONE, DEPENDENTS, SUCCEEDED), in
--       common.lua's order: LuaPrelude names them, TaskTypeKeys.For passes them (fewer keys, less Redis CPU).
-- ARGV[1]  wake channel, published to when a task becomes the earliest one, so sleeping workers wake early
-- ARGV[2]  'abs': each due value is a Unix time in ms; 'rel': each due value is a delay in ms from now;
--          followed, only when the caller schedules under a trace, by the trace context to store
--          with every task of the call (see new_record)
-- ARGV[3]  '' for generated ids, or '^' / '_' for generated ids of high / low priority, or
--          '#<n>|<continuation public id>': generated ids from n on, reserved earlier with INCRBY,
--          each registered as a parent of that continuation (a batch's tasks); otherwise
--          the caller's local id (one task only, itself starting with '^' or '_' for a priority):
--          while a task with that id exists in any state, the call is ignored (idempotent scheduling)
-- ARGV[4], ARGV[5], ...  pairs of (due value, payload)
-- Returns: for generated ids, the sequence number of the first: the local ids are the priority prefix
--          and encode_id(first), encode_id(first + 1), ... in argument order, so the reply stays one
--          integer however many tasks the call adds; for a caller's id, { id }, or { false } when it already exists.
-- A due time in the past means due now (the score is clamped to the server's clock).
local now = now_ms()
local relative = string.sub(ARGV[2], 1, 3) == 'rel'
local trace = string.sub(ARGV[2], 4)
local custom = ARGV[3]
local prefix = ''
local reserved = nil
local continuation = nil
if custom == HIGH or custom == LOW then
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
  if redis.call('HEXISTS', TASKS, custom) == 1 then
    return { false }
  end
  -- A key used again: the result and success of its last run must not be taken for this one's.
  redis.call('HDEL', RESULTS, custom)
  redis.call('ZREM', DONE, custom)
  redis.call('ZREM', SUCCEEDED, custom)
end
local last = 0
if reserved then
  last = reserved + count - 1
elseif custom == '' then
  last = redis.call('INCRBY', SEQ, count)
end
local earliest = first_score(DUE)
local wake = nil
local first = last - count + 1
-- One HSET and one ZADD for the whole call: a command per task costs Redis more than the work.
-- The loop body is the script's per-task cost, so it formats as little as it can: the due value
-- is passed on as the caller's string unless it had to change.
local records = {}
local scores = {}
local scheduled_at = int(now)
for i = 1, count do
  local n = 2 * i
  local raw = ARGV[2 + n]
  local due = tonumber(raw)
  if relative then
    due = now + due
    raw = nil
  end
  if due < now then
    due = now
    raw = nil
  end
  local id = custom
  if custom == '' then
    id = prefix .. encode_id(first + i - 1)
  end
  local text = raw or int(due)
  records[n - 1] = id
  records[n] = new_record('s', '0', scheduled_at, text, ARGV[3 + n], trace)
  scores[n - 1] = text
  scores[n] = id
  if earliest == nil or due < earliest then
    earliest = due
    wake = due
  end
end
redis.call('HSET', TASKS, unpack(records))
redis.call('ZADD', DUE, unpack(scores))
if continuation then
  local dependents = {}
  for i = 1, count do
    dependents[2 * i - 1] = records[2 * i - 1]
    dependents[2 * i] = continuation
  end
  redis.call('HSET', DEPENDENTS, unpack(dependents))
end
if wake then
  publish(ARGV[1], int(wake))
end
if custom ~= '' then
  return { custom }
end
return first
