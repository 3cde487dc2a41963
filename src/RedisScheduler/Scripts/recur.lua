-- recur.lua: turns one due occurrence of a recurring schedule into a task and moves the schedule to
-- its next occurrence, atomically and only if no other instance did it first: each occurrence
-- becomes exactly one task however many instances race.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  schedule name
-- ARGV[2]  the occurrence this worker saw (Unix ms): the compare-and-set guard
-- ARGV[3]  the next occurrence (Unix ms), or '' when the schedule never fires again
-- ARGV[4]  '1' to schedule a task for this occurrence; '0' to skip it (a misfire the policy skips)
-- ARGV[5]  wake channel (see schedule.lua)
-- An occurrence's record carries the link to the call that defined the schedule, when one was kept
-- (link_field, see define.lua), so its span is the root of a trace of its own, linked to that call.
-- Returns: 1 when this call advanced the schedule; 0 when another instance already had.
local name = ARGV[1]
local current = redis.call('ZSCORE', RECURRING_NEXT, name)
if not current or tonumber(current) ~= tonumber(ARGV[2]) then
  return 0
end
if ARGV[4] == '1' then
  local definition = redis.call('HGET', RECURRING, name)
  local payload = cjson.decode(definition)['payload']
  local now = now_ms()
  -- Due at the occurrence itself, already past: TaskContext.DueAt is the instant the schedule named.
  local due = tonumber(ARGV[2])
  -- The occurrence's own id: a second task for it can never exist while the first does. '@' keeps
  -- these apart from callers' once-only keys ('=') and generated ids (letters).
  local id = '@' .. name .. ':' .. ARGV[2]
  if redis.call('HEXISTS', TASKS, id) == 0 then
    local earliest = first_score(DUE)
    local record = new_record('s', '0', int(now), int(due), payload)
    local link = redis.call('HGET', RECURRING, link_field(name))
    if link then record = with_link(record, link) end
    redis.call('HSET', TASKS, id, record)
    redis.call('ZADD', DUE, due, id)
    if earliest == nil or due < earliest then
      publish(ARGV[5], int(due))
    end
  end
end
if ARGV[3] == '' then
  redis.call('ZREM', RECURRING_NEXT, name)
else
  redis.call('ZADD', RECURRING_NEXT, tonumber(ARGV[3]), name)
end
return 1
