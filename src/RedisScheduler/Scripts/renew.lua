-- renew.lua: extends the leases of tasks a worker is still running.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  lease duration in ms, counted from now
-- ARGV[2..n]  the deliveries' lease members (see lease_member in common.lua)
-- Returns: the members whose lease was already lost (reclaimed by another worker).
local expiry = now_ms() + tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', INFLIGHT, ARGV[i]) then
    redis.call('ZADD', INFLIGHT, 'XX', expiry, ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
