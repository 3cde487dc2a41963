-- ack.lua: workers finished tasks; they are removed for good. Several acknowledgements of one type
-- travel in one call.
-- KEYS: the twelve keys described in common.lua.
-- ARGV: triples (local task id, delivery token from claim.lua, '1' when an earlier attempt failed
--       so its last error is deleted too, else '0')
-- Returns: the local ids whose delivery's lease was lost (the task was handed out again); nothing
-- is changed for those: a stale worker can never complete another's delivery.
local members = {}
for i = 1, #ARGV, 3 do
  members[#members + 1] = ARGV[i] .. '|' .. ARGV[i + 1]
end
-- Which deliveries still hold their lease, in one command; then one ZREM and one HDEL for all.
local scores = redis.call('ZMSCORE', KEYS[3], unpack(members))
local live = {}
local ids = {}
local errors = {}
local lost = {}
for j, member in ipairs(members) do
  local id = ARGV[3 * j - 2]
  if scores[j] then
    live[#live + 1] = member
    ids[#ids + 1] = id
    if ARGV[3 * j] == '1' then
      errors[#errors + 1] = id
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
return lost
