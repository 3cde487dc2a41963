-- ack.lua: workers finished tasks; they are removed for good. Several acknowledgements of one type
-- travel in one call.
-- KEYS: the fifteen keys described in common.lua.
-- ARGV[1]  the type's done channel, announced to while WaitForCompletionAsync callers wait
-- ARGV[2..n] quadruples (local task id, delivery token from claim.lua, '1' when an earlier attempt
--       failed so its last error is deleted too, else '0', the result as JSON or '' for none)
-- Returns: the local ids whose delivery's lease was lost (the task was handed out again); nothing
-- is changed for those: a stale worker can never complete another's delivery.
local members = {}
for i = 2, #ARGV, 4 do
  members[#members + 1] = ARGV[i] .. '|' .. ARGV[i + 1]
end
-- Which deliveries still hold their lease, in one command; then one ZREM and one HDEL for all.
local scores = redis.call('ZMSCORE', KEYS[3], unpack(members))
local live = {}
local ids = {}
local errors = {}
local results = {}
local finished = {}
local lost = {}
local now = nil
for j, member in ipairs(members) do
  local at = 4 * j - 2
  local id = ARGV[at]
  if scores[j] then
    live[#live + 1] = member
    ids[#ids + 1] = id
    if ARGV[at + 2] == '1' then
      errors[#errors + 1] = id
    end
    if ARGV[at + 3] ~= '' then
      now = now or now_ms()
      results[#results + 1] = id
      results[#results + 1] = ARGV[at + 3]
      finished[#finished + 1] = now
      finished[#finished + 1] = id
    end
  else
    lost[#lost + 1] = id
  end
end
if #live > 0 then
  redis.call('ZREM', KEYS[3], unpack(live))
  redis.call('HDEL', KEYS[4], unpack(ids))
end
if #errors > 0 then
  redis.call('HDEL', KEYS[7], unpack(errors))
end
if #results > 0 then
  redis.call('HSET', KEYS[13], unpack(results))
  redis.call('ZADD', KEYS[14], unpack(finished))
end
announce_done(ARGV[1], ids)
return lost
