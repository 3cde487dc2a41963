-- health.lua: how far behind one task type is, for the health check (HealthChecks/RedisSchedulerReadinessCheck.cs).
-- Reads only: O(log n) per key, never a scan.
-- KEYS: the twenty keys of the task type (see common.lua); uses due, ready, tasks, dead, ready-high, ready-low.
-- Returns { now (Unix ms, server clock), backlog (tasks due and not yet taken by a worker),
--   the due time of the oldest of them (Unix ms; -1 when there is none), dead letters }.

local now = now_ms()
local backlog = redis.call('ZCOUNT', KEYS[1], '-inf', now)
local oldest = -1
local head = first_score(KEYS[1])
if head and head <= now then oldest = head end
for _, key in ipairs({ KEYS[11], KEYS[2], KEYS[12] }) do
  backlog = backlog + redis.call('LLEN', key)
  local id = redis.call('LINDEX', key, 0)
  if id then
    local record = redis.call('HGET', KEYS[4], id)
    local due = record and tonumber(string.match(record, '^[^|]*|%d+|(%d+)'))
    if due and (oldest < 0 or due < oldest) then oldest = due end
  end
end
return { now, backlog, oldest, redis.call('ZCARD', KEYS[6]) }
