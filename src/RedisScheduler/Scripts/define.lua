-- define.lua: adds, changes, removes, pauses or resumes a recurring schedule of one task type.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  'set', 'remove', 'pause' or 'resume'
-- ARGV[2]  schedule name
-- ARGV[3]  ('set') the definition (JSON, payload included)
-- ARGV[4]  ('set') its first occurrence from now (Unix ms), or '' when it never fires
-- ARGV[5]  wake channel (see schedule.lua)
-- ARGV[6]  ('set') optional: the traceparent of the call that defines it, kept beside the definition
--          (link_field) for its occurrences' spans to link to; '' or absent for none
-- A paused schedule is out of RECURRING_NEXT, so claim.lua never sees it, and RECURRING holds a
-- marker beside its definition, field paused_field(name) (common.lua), whose
-- value is the occurrence that was next when it was paused ('' for none): resuming puts it back, and
-- a worker then treats it as any late occurrence, so the misfire policy applies.
-- Returns: 1 when something changed; 0 when the same definition was already there (its next
-- occurrence is kept, so restarting an application does not reset its schedules) or, for
-- 'remove', when there was none. 'pause' and 'resume' return 1 when the schedule exists, 0 when not.
-- Tasks already made from past occurrences are not touched.
local name = ARGV[2]
local paused = paused_field(name)
if ARGV[1] == 'remove' then
  redis.call('ZREM', RECURRING_NEXT, name)
  redis.call('HDEL', RECURRING, paused, link_field(name))
  return redis.call('HDEL', RECURRING, name)
end
if ARGV[1] == 'pause' or ARGV[1] == 'resume' then
  if redis.call('HEXISTS', RECURRING, name) == 0 then
    return 0
  end
  local held = redis.call('HGET', RECURRING, paused)
  if ARGV[1] == 'pause' and not held then
    redis.call('HSET', RECURRING, paused, redis.call('ZSCORE', RECURRING_NEXT, name) or '')
    redis.call('ZREM', RECURRING_NEXT, name)
  elseif ARGV[1] == 'resume' and held then
    redis.call('HDEL', RECURRING, paused)
    if held ~= '' then
      redis.call('ZADD', RECURRING_NEXT, held, name)
      publish(ARGV[5], held)
    end
  end
  return 1
end
local held = redis.call('HGET', RECURRING, paused)
-- The definition's JSON is compared alone: the link is not part of it, so an application restarting
-- under another trace keeps its schedules' next occurrences (the link stays the first definer's).
if redis.call('HGET', RECURRING, name) == ARGV[3] and (held or redis.call('ZSCORE', RECURRING_NEXT, name)) then
  return 0
end
redis.call('HSET', RECURRING, name, ARGV[3])
if ARGV[6] and ARGV[6] ~= '' then
  redis.call('HSET', RECURRING, link_field(name), ARGV[6])
else
  redis.call('HDEL', RECURRING, link_field(name))
end
if held then
  -- Changed while paused: it stays paused, and resumes from the changed definition's first occurrence.
  redis.call('HSET', RECURRING, paused, ARGV[4])
elseif ARGV[4] == '' then
  redis.call('ZREM', RECURRING_NEXT, name)
else
  redis.call('ZADD', RECURRING_NEXT, tonumber(ARGV[4]), name)
  publish(ARGV[5], ARGV[4])
end
return 1
