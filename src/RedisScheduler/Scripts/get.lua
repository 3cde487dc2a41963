-- get.lua: reads one task's state and record.
-- KEYS: the five keys described in common.lua.
-- ARGV[1]  local task id
-- Returns: { state, record } with state 'scheduled', 'ready' or 'processing'; or nil when the task
-- is unknown or finished.
local record = redis.call('HGET', KEYS[4], ARGV[1])
if not record then
  return nil
end
if string.sub(record, 1, 1) == 'p' then
  return { 'processing', record }
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return { 'scheduled', record }
end
return { 'ready', record }
