-- deadletters.lua: lists, requeues or deletes dead-lettered tasks of one type.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1] the operation:
--   'list'     ARGV[2] offset, ARGV[3] count; oldest first.
--              Returns { id1, died-at ms, record1, error1, id2, ... }.
--   'requeue'  ARGV[2] wake channel; ARGV[3] 'all' with ARGV[4] a time (Unix ms) and ARGV[5] how
--              many to skip: the oldest 1000 dead before that time after those skipped (the caller
--              repeats while the two counts returned add up to 1000, with the same time, so tasks
--              that fail again meanwhile are not requeued twice, and skipping the letters it kept);
--              or ARGV[3..n] local ids. The tasks become due now (their records' dueAt too), with their attempts reset. A
--              letter whose record is missing or cannot be read (MalformedRecord, see claim.lua)
--              is kept instead. Returns for 'all' { how many were requeued, how many kept };
--              else how many were requeued, or -1 when any was kept.
--   'delete'   ARGV[2..n] local ids. Returns how many were deleted.
local op = ARGV[1]
if op == 'list' then
  local offset = tonumber(ARGV[2])
  local entries = redis.call('ZRANGE', DEAD, offset, offset + tonumber(ARGV[3]) - 1, 'WITHSCORES')
  local result = {}
  for i = 1, #entries, 2 do
    local id = entries[i]
    result[#result + 1] = id
    result[#result + 1] = entries[i + 1]
    result[#result + 1] = redis.call('HGET', TASKS, id) or ''
    result[#result + 1] = redis.call('HGET', ERRORS, id) or ''
  end
  return result
end

local ids = {}
local first = 2
if op == 'requeue' then
  first = 3
end
if op == 'requeue' and ARGV[3] == 'all' then
  ids = redis.call('ZRANGE', DEAD, '-inf', '(' .. ARGV[4], 'BYSCORE', 'LIMIT', tonumber(ARGV[5]), 1000)
else
  for i = first, #ARGV do
    ids[#ids + 1] = ARGV[i]
  end
end

local now = now_ms()
local done = 0
local kept = 0
touch_parents(ids)
for _, id in ipairs(ids) do
  local record = redis.call('HGET', TASKS, id)
  local bar = nil
  if record then bar = select(3, record_head(record)) end
  if op == 'requeue' and not bar then
    -- Requeued, it would only die again: it stays until its record is written correctly, or it is deleted.
    if redis.call('ZSCORE', DEAD, id) then kept = kept + 1 end
  elseif redis.call('ZREM', DEAD, id) == 1 then
    done = done + 1
    if op == 'requeue' then
      -- A fresh start: attempts from zero and no last error (ack.lua only cleans up errors of
      -- tasks past their first attempt).
      redis.call('HSET', TASKS, id, with_due(with_attempt(record, 's', 0, bar), 's', int(now)))
      redis.call('HDEL', ERRORS, id)
      redis.call('ZADD', DUE, now, id)
    else
      redis.call('HDEL', TASKS, id)
      redis.call('HDEL', ERRORS, id)
      forget_parents({ id })
    end
  end
end
if op == 'requeue' and done > 0 then
  publish(ARGV[2], int(now))
end
if op == 'requeue' and ARGV[3] == 'all' then
  return { done, kept }
end
if kept > 0 then
  return -1
end
return done
