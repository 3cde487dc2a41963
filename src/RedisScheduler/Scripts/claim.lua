-- claim.lua: one round trip for a worker: reclaims expired leases, promotes due tasks, and takes
-- up to ARGV[1] ready tasks, recording each in flight with a lease and a fresh delivery token.
-- KEYS: the seven keys described in common.lua.
-- ARGV[1]  the most tasks to take
-- ARGV[2]  lease duration in ms
-- ARGV[3]  the most due tasks to promote and expired leases to reclaim in this call
-- ARGV[4]  the attempt limit: a task whose lease ran out on its last attempt is dead-lettered
-- ARGV[5]  the dead-letter reason for that case (JSON)
-- Returns: { server now ms, next wake ms (-1: nothing pending), id1, token1, record1, id2, ... }
--   "next wake" is only set when nothing was taken: the earlier of the next due time and the next
--   lease expiry, so an idle worker knows how long it may sleep.
local now = now_ms()
local limit = tonumber(ARGV[3])

-- A lease that ran out means its worker died or stalled: the task goes to the front of the
-- ready list, as it is overdue. Its attempt was already counted when it was claimed, so a task
-- that kills every worker that takes it ends in the dead letters instead of looping for ever.
local max_attempts = tonumber(ARGV[4])
local expired = redis.call('ZRANGE', KEYS[3], '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
for i = #expired, 1, -1 do
  redis.call('ZREM', KEYS[3], expired[i])
  local id = string.match(expired[i], '^[^|]+')
  local record = redis.call('HGET', KEYS[4], id)
  if record and attempt_of(record) >= max_attempts then
    bury(id, now, ARGV[5])
  elseif record then
    set_flag(id, 's')
    redis.call('LPUSH', KEYS[2], id)
  end
end

promote(now, limit)

local result = { now, -1 }
local ids = redis.call('LPOP', KEYS[2], tonumber(ARGV[1]))
if ids then
  local expiry = now + tonumber(ARGV[2])
  local token = redis.call('INCRBY', KEYS[5], #ids) - #ids
  for _, id in ipairs(ids) do
    local record = redis.call('HGET', KEYS[4], id)
    -- A cancelled task has no record any more; its id is dropped here.
    if record then
      token = token + 1
      record = 'p' .. int(attempt_of(record) + 1) .. string.sub(record, (string.find(record, '|', 1, true)))
      redis.call('HSET', KEYS[4], id, record)
      local t = int(token)
      redis.call('ZADD', KEYS[3], expiry, id .. '|' .. t)
      result[#result + 1] = id
      result[#result + 1] = t
      result[#result + 1] = record
    end
  end
end

if #result == 2 then
  if redis.call('LLEN', KEYS[2]) > 0 then
    -- Only cancelled ids were popped and more are waiting: look again at once.
    result[2] = now
    return result
  end
  local next_due = first_score(KEYS[1])
  local next_expiry = first_score(KEYS[3])
  if next_due and (not next_expiry or next_due < next_expiry) then
    result[2] = next_due
  elseif next_expiry then
    result[2] = next_expiry
  end
end
return result
