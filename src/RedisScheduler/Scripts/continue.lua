-- continue.lua: creates a continuation: a task that waits, outside the schedule, until every one of
-- its parents has ended. depend.lua then registers it with each parent's type.
-- KEYS: the twenty keys described in common.lua (of the continuation's type).
-- ARGV[1]  'c' to cancel it when a parent is dead-lettered or cancelled, 'r' to run it anyway
-- ARGV[2]  the payload (JSON)
-- ARGV[3..n] the public ids of its parents, distinct
-- Returns: the new local id, CONTINUATION and a generated id (see encode_id).
local now = now_ms()
-- The id INCRBY is about to make, so its parents hash is touched before the first write (see
-- touch_parents): nothing else runs between the two, as the script is atomic.
local id = CONTINUATION .. encode_id((tonumber(redis.call('GET', SEQ)) or 0) + 1)
touch_parents({ id })
redis.call('INCRBY', SEQ, 1)
local total = #ARGV - 2
local now_text = int(now)
redis.call('HSET', TASKS, id, new_record('w', '0', now_text, now_text, ARGV[2]))
redis.call('ZADD', WAITING, now, id)
local key = parents_key(id)
redis.call('HSET', key, '#policy', ARGV[1], '#total', total, '#pending', total, '#succeeded', 0, '#failed', 0)
local fields = {}
for i = 3, #ARGV do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ''
end
chunked('HSET', key, fields, 2)
return id
