-- ack.lua: workers finished tasks; they are removed for good. Several acknowledgements of one type
-- travel in one call.
-- KEYS: the twelve keys described in common.lua.
-- ARGV: triples (local task id, delivery token from claim.lua, '1' when an earlier attempt failed
--       so its last error is deleted too, else '0')
-- Returns: the local ids whose delivery's lease was lost (the task was handed out again); nothing
-- is changed for those: a stale worker can never complete another's delivery.
local lost = {}
for i = 1, #ARGV, 3 do
  local id = ARGV[i]
  if redis.call('ZREM', KEYS[3], id .. '|' .. ARGV[i + 1]) == 1 then
    redis.call('HDEL', KEYS[4], id)
    if ARGV[i + 2] == '1' then
      redis.call('HDEL', KEYS[7], id)
    end
  else
    lost[#lost + 1] = id
  end
end
return lost
