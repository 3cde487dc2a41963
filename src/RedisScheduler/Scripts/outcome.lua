-- outcome.lua: how a task ended, for WaitForCompletionAsync.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  local task id
-- ARGV[2]  'wait' to count the caller as a waiter (refreshing its expiry), 'leave' to uncount it,
--          'refresh' to extend the count's expiry while still waiting, 'peek' to do none of these
-- Returns: { 'pending' } while it is scheduled, ready or running; { 'succeeded', result or false }
-- when a result is stored; { 'dead', last error } when dead-lettered; { 'gone' } when it finished
-- without a stored result (a handler without one, a cancelled task, or a result past its retention).
if ARGV[2] == 'wait' then
  redis.call('INCR', WAITERS)
  -- A waiter that dies without leaving only costs announcements until this runs out.
  redis.call('PEXPIRE', WAITERS, 300000)
elseif ARGV[2] == 'refresh' then
  redis.call('PEXPIRE', WAITERS, 300000)
elseif ARGV[2] == 'leave' then
  if redis.call('DECR', WAITERS) <= 0 then
    redis.call('DEL', WAITERS)
  end
end
local result = redis.call('HGET', RESULTS, ARGV[1])
if result then
  return { 'succeeded', result }
end
local record = redis.call('HGET', TASKS, ARGV[1])
if not record then
  return { 'gone' }
end
if flag_of(record) == 'd' then
  return { 'dead', redis.call('HGET', ERRORS, ARGV[1]) or '' }
end
return { 'pending' }
