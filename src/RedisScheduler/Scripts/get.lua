-- get.lua: reads one task's state and record.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- Returns: { state, record, last error or false } with state 'scheduled', 'failed' (waiting for a
-- retry after a failed attempt, scheduled or already ready), 'ready', 'processing', 'dead' or
-- 'waiting' (a continuation waiting for its parents); or nil when the task is unknown or finished.
local record = redis.call('HGET', TASKS, ARGV[1])
if not record then
  return nil
end
local err = redis.call('HGET', ERRORS, ARGV[1])
local flag = flag_of(record)
if flag == 'p' then
  return { 'processing', record, err }
end
if flag == 'd' then
  return { 'dead', record, err }
end
if flag == 'w' then
  return { 'waiting', record, err }
end
-- Waiting for a retry, whether its next attempt is still scheduled or already due and ready.
if redis.call('ZSCORE', FAILED, ARGV[1]) then
  return { 'failed', record, err }
end
if redis.call('ZSCORE', DUE, ARGV[1]) then
  return { 'scheduled', record, err }
end
return { 'ready', record, err }
