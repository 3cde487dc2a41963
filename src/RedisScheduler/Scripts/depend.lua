-- depend.lua: registers a continuation with parents of this type, so that they tell it when they
-- end (see notify_dependents), or says how each parent already ended.
-- KEYS: the twenty keys described in common.lua (of the parents' type).
-- ARGV[1]  the continuation's public id
-- ARGV[2..n] the parents' local ids
-- Returns: per parent, in order: '' when registered (it has not ended), 's' and its result (if it
-- kept one) when it succeeded, 'd' and its last error when it is dead-lettered, 'u' when unknown
-- (it never existed, or ended too long ago to tell how).
local child = ARGV[1]
local replies = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local record = redis.call('HGET', TASKS, id)
  local reply = ''
  if record and flag_of(record) == 'd' then
    reply = 'd' .. (redis.call('HGET', ERRORS, id) or '')
  elseif record then
    local list = redis.call('HGET', DEPENDENTS, id)
    if list then
      redis.call('HSET', DEPENDENTS, id, list .. ' ' .. child)
    else
      redis.call('HSET', DEPENDENTS, id, child)
    end
  else
    local result = redis.call('HGET', RESULTS, id)
    if result then
      reply = 's' .. result
    elseif redis.call('ZSCORE', SUCCEEDED, id) then
      reply = 's'
    else
      reply = 'u'
    end
  end
  replies[#replies + 1] = reply
end
return replies
