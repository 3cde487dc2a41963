-- define.lua: adds, changes or removes a recurring schedule of one task type.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  'set' or 'remove'
-- ARGV[2]  schedule name
-- ARGV[3]  ('set') the definition (JSON, payload included)
-- ARGV[4]  ('set') its first occurrence from now (Unix ms), or '' when it never fires
-- ARGV[5]  wake channel (see schedule.lua)
-- Returns: 1 when something changed; 0 when the same definition was already there (its next
-- occurrence is kept, so restarting an application does not reset its schedules) or, for
-- 'remove', when there was none. Tasks already made from past occurrences are not touched.
local name = ARGV[2]
if ARGV[1] == 'remove' then
  redis.call('ZREM', RECURRING_NEXT, name)
  return redis.call('HDEL', RECURRING, name)
end
if redis.call('HGET', RECURRING, name) == ARGV[3] and redis.call('ZSCORE', RECURRING_NEXT, name) then
  return 0
end
redis.call('HSET', RECURRING, name, ARGV[3])
if ARGV[4] == '' then
  redis.call('ZREM', RECURRING_NEXT, name)
else
  redis.call('ZADD', RECURRING_NEXT, tonumber(ARGV[4]), name)
  publish(ARGV[5], ARGV[4])
end
return 1
