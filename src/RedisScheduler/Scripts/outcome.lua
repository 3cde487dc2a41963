-- outcome.lua: how a task ended, for WaitForCompletionAsync.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  'wait' to count the caller as a waiter (refreshing its expiry), 'leave' to uncount it,
--          'refresh' to extend the count's expiry while still waiting, 'peek' to do none of these
-- Returns: { 'pending' } while it is scheduled, ready or running; { 'succeeded', result or false }
-- when a result is stored; { 'dead', last error } when dead-lettered; { 'gone' } when it finished
-- without a stored result (a handler without one, a cancelled task, or a result past its retention).
if ARGV[2] == 'wait' then
  redis.call('INCR', KEYS[15])
  -- A waiter that dies without leaving only costs announcements until this runs out.
  redis.call('PEXPIRE', KEYS[15], 300000)
elseif ARGV[2] == 'refresh' then
  redis.call('PEXPIRE', KEYS[15], 300000)
elseif ARGV[2] == 'leave' then
  if redis.call('DECR', KEYS[15]) <= 0 then
    redis.call('DEL', KEYS[15])
  end
end
local result = redis.call('HGET', KEYS[13], ARGV[1])
if result then
  return { 'succeeded', result }
end
local record = redis.call('HGET', KEYS[4], ARGV[1])
if not record then
  return { 'gone' }
end
if string.sub(record, 1, 1) == 'd' then
  return { 'dead', redis.call('HGET', KEYS[7], ARGV[1]) or '' }
end
return { 'pending' }
