-- resolve.lua: tells a continuation how some of its parents ended; when none is pending any more,
-- it becomes ready at once, or is cancelled when a parent failed and its policy says so. Safe to
-- repeat: a parent already resolved is skipped, so each continuation is released exactly once.
-- KEYS: the twenty keys described in common.lua (of the continuation's type).
-- ARGV[1]  the continuation's local id
-- ARGV[2]  wake channel (see schedule.lua)
-- ARGV[3]  the type's done channel (see ack.lua)
-- ARGV[4..n] triples (parent public id, outcome 's' succeeded / 'd' dead-lettered / 'c' cancelled,
--          the parent's result or error JSON, or '')
-- Returns: 0 while it still waits (or is unknown or no longer waiting); 1 when it became ready;
-- 2 when it was cancelled; 3 when it was cancelled and its own continuations must hear of it.
local id = ARGV[1]
local record = redis.call('HGET', TASKS, id)
if not record or flag_of(record) ~= 'w' then
  return 0
end
local key = parents_key(id)
for i = 4, #ARGV, 3 do
  if redis.call('HGET', key, ARGV[i]) == '' then
    redis.call('HSET', key, ARGV[i], ARGV[i + 1] .. ARGV[i + 2])
    redis.call('HINCRBY', key, '#pending', -1)
    if ARGV[i + 1] == 's' then
      redis.call('HINCRBY', key, '#succeeded', 1)
    else
      redis.call('HINCRBY', key, '#failed', 1)
    end
  end
end
local state = redis.call('HMGET', key, '#pending', '#failed', '#policy')
if tonumber(state[1]) > 0 then
  return 0
end
local now = now_ms()
redis.call('ZREM', WAITING, id)
if tonumber(state[2]) > 0 and state[3] == 'c' then
  redis.call('HDEL', TASKS, id)
  redis.call('DEL', key)
  announce_done(ARGV[3], { id })
  if notify_dependents({ id }, 'c', {}, now) > 0 then
    return 3
  end
  return 2
end
-- Due from now: TaskContext.DueAt says when its last parent ended.
redis.call('HSET', TASKS, id, with_due(record, 's', int(now)))
redis.call('RPUSH', READY, id)
publish(ARGV[2], int(now))
return 1
