-- list.lua: one page of the tasks of a type in one state, for dashboards and admin tools. Reads
-- only the page asked for: ZRANGE/LRANGE by rank, then one HGET per task.
-- KEYS: the fifteen keys described in common.lua.
-- ARGV[1]  'scheduled' (by due time), 'ready' (in the order they will be taken: high priority,
--          normal, low, each oldest first), 'processing' (by lease expiry) or 'dead' (oldest first)
-- ARGV[2]  offset
-- ARGV[3]  count
-- Returns: { id1, record1, error1 or '', id2, ... }; a task that finished between the range and
-- the read is left out.
local state = ARGV[1]
local first = tonumber(ARGV[2])
local last = first + tonumber(ARGV[3]) - 1
local ids
if state == 'scheduled' then
  ids = redis.call('ZRANGE', KEYS[1], first, last)
elseif state == 'ready' then
  ids = {}
  local skip = first
  for _, key in ipairs({ KEYS[11], KEYS[2], KEYS[12] }) do
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
  ids = redis.call('ZRANGE', KEYS[3], first, last)
  for i, member in ipairs(ids) do
    ids[i] = string.match(member, '^[^|]+')
  end
else
  ids = redis.call('ZRANGE', KEYS[6], first, last)
end
local result = {}
for _, id in ipairs(ids) do
  local record = redis.call('HGET', KEYS[4], id)
  if record then
    result[#result + 1] = id
    result[#result + 1] = record
    result[#result + 1] = redis.call('HGET', KEYS[7], id) or ''
  end
end
return result
