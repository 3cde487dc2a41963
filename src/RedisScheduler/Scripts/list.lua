-- list.lua: one page of the tasks of a type in one state, for dashboards and admin tools. Reads
-- only the page asked for: ZRANGE/LRANGE by rank, then one HGET per task.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  'scheduled' (by due time), 'ready' (in the order they will be taken: high priority,
--          normal, low, each oldest first), 'processing' (by lease expiry), 'dead' (oldest first) or
--          'waiting' (continuations waiting for their parents, oldest first), 'failed' (waiting for
--          a retry, by when the attempt failed) or 'succeeded'
-- ARGV[2]  offset
-- ARGV[3]  count
-- Returns: { id1, record1, error1 or '', id2, ... }; a task that finished between the range and
-- the read is left out. For 'succeeded' (newest first): { id1, succeeded-at ms, result1 or '', ... }.
local state = ARGV[1]
local first = tonumber(ARGV[2])
local last = first + tonumber(ARGV[3]) - 1
if state == 'succeeded' then
  -- Their records are gone; the history keeps when each succeeded, and results are kept apart.
  local entries = redis.call('ZRANGE', SUCCEEDED, first, last, 'REV', 'WITHSCORES')
  local result = {}
  for i = 1, #entries, 2 do
    result[#result + 1] = entries[i]
    result[#result + 1] = entries[i + 1]
    result[#result + 1] = redis.call('HGET', RESULTS, entries[i]) or ''
  end
  return result
end
local ids
if state == 'scheduled' then
  ids = redis.call('ZRANGE', DUE, first, last)
elseif state == 'ready' then
  ids = {}
  local skip = first
  for _, key in ipairs({ READY_HIGH, READY, READY_LOW }) do
    local length = redis.call('LLEN', key)
    if skip >= length then
      skip = skip - length
    elseif #ids <= last - first then
      for _, id in ipairs(redis.call('LRANGE', key, skip, skip + (last - first) - #ids)) do
        ids[#ids + 1] = id
      end
      skip = 0
    end
  end
elseif state == 'processing' then
  ids = redis.call('ZRANGE', INFLIGHT, first, last)
  for i, member in ipairs(ids) do
    ids[i] = lease_id(member)
  end
elseif state == 'waiting' then
  ids = redis.call('ZRANGE', WAITING, first, last)
elseif state == 'failed' then
  ids = redis.call('ZRANGE', FAILED, first, last)
else
  ids = redis.call('ZRANGE', DEAD, first, last)
end
local result = {}
for _, id in ipairs(ids) do
  local record = redis.call('HGET', TASKS, id)
  if record then
    result[#result + 1] = id
    result[#result + 1] = record
    result[#result + 1] = redis.call('HGET', ERRORS, id) or ''
  end
end
return result
