-- claim.lua: one round trip for a worker: reclaims expired leases, promotes due tasks, and takes
-- up to ARGV[1] ready tasks, recording each in flight with a lease and a delivery token (one fresh
-- token per call, shared by the tasks it takes: a delivery is the pair of task id and token).
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  the most tasks to take
-- ARGV[2]  lease duration in ms
-- ARGV[3]  the most due tasks to promote and expired leases to reclaim in this call
-- ARGV[4]  the attempt limit: a task whose lease ran out on its last attempt is dead-lettered
-- ARGV[5]  the dead-letter reason for that case (JSON)
-- ARGV[6]  cluster-wide limit of tasks of this type in flight at once (0: none)
-- ARGV[7]  cluster-wide limit of starts per second of the server clock (0: none)
-- ARGV[8]  dead-letter retention in ms: dead letters older than this are deleted (at most ARGV[3]
--          of them); 0 to skip the sweep (workers ask for it about once a minute)
-- ARGV[9]  result retention in ms, swept the same way; 0 to skip
-- ARGV[10] the type's done channel (see ack.lua), for tasks dead-lettered here
-- ARGV[11] the dead-letter reason (JSON) for an id without a record, or with a record this library
--          cannot read (see record_head): edited by hand or written by another program
-- Returns: { server now in microseconds, next wake ms (-1: nothing pending), n, the delivery token of
--   the tasks taken ('' when none), name1, occurrence1, definition1, ... (n recurring schedules whose
--   next occurrence is due), id1, record1, id2, record2, ... }
--   "next wake" is only set when nothing was taken: the earliest of the next due time, the next
--   lease expiry and the next recurring occurrence, so an idle worker knows how long it may sleep.
--   The worker turns each due occurrence into a task with recur.lua.
-- Microseconds too, so an idle worker can time its wake-up finer than a millisecond.
local clock = redis.call('TIME')
local now_us = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local now = math.floor(now_us / 1000)
local limit = tonumber(ARGV[3])

-- Dead-letters a task whose record is missing or cannot be read (`flag` nil), or whose flag is not
-- where the task is, with the reason ARGV[11]. The record is kept for a person to repair: one that
-- cannot be read gets 'd' in front, so none of it is lost and every other script reads it as dead.
local function bury_unreadable(id, record, flag)
  if record and not flag then
    redis.call('HSET', TASKS, id, 'd' .. record)
  end
  return bury(id, now, ARGV[11])
end

-- A lease that ran out means its worker died or stalled: the task goes to the front of the
-- ready list, as it is overdue. Its attempt was already counted when it was claimed, so a task
-- that kills every worker that takes it ends in the dead letters instead of looping for ever.
local max_attempts = tonumber(ARGV[4])
local expired = redis.call('ZRANGE', INFLIGHT, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
for i = #expired, 1, -1 do
  redis.call('ZREM', INFLIGHT, expired[i])
  local id = lease_id(expired[i])
  local record = redis.call('HGET', TASKS, id)
  local flag, attempt = nil, nil
  if record then flag, attempt = record_head(record) end
  if not flag then
    -- No script deletes the record of a task in flight, so it is corrupted: kept, not lost.
    bury_unreadable(id, record, flag)
    announce_done(ARGV[10], { id })
  elseif attempt >= max_attempts then
    bury(id, now, ARGV[5])
    announce_done(ARGV[10], { id })
  else
    set_flag(id, 's')
    redis.call('LPUSH', ready_key(id), id)
  end
end

promote(now, limit)

-- Retention: dead letters and stored results older than their periods go, a bounded batch at a time.
sweep(DEAD, { TASKS, ERRORS }, tonumber(ARGV[8]), now, limit, true)
sweep(DONE, { RESULTS }, tonumber(ARGV[9]), now, limit)

-- Limits hold across every instance because they are checked here, atomically with the claim.
-- Expired leases were reclaimed above, so a crashed worker's slot is free again.
local want = tonumber(ARGV[1])
local limited_until = nil
local in_flight_limit = tonumber(ARGV[6])
if in_flight_limit > 0 then
  local free = in_flight_limit - redis.call('ZCARD', INFLIGHT)
  if free < want then
    want = free
    -- A slot frees when another instance finishes; nothing announces that, so look again soon.
    limited_until = now + 100
  end
end
local rate_limit = tonumber(ARGV[7])
local second = math.floor(now / 1000)
local started = 0
if rate_limit > 0 then
  local window = redis.call('GET', RATE)
  if window then
    local at, count = string.match(window, '^(%d+)|(%d+)$')
    if tonumber(at) == second then started = tonumber(count) end
  end
  if rate_limit - started < want then
    want = rate_limit - started
    limited_until = (second + 1) * 1000
  end
end

local result = { now_us, -1, 0, '' }
local occurrences = redis.call('ZRANGE', RECURRING_NEXT, '-inf', now, 'BYSCORE', 'LIMIT', 0, 10, 'WITHSCORES')
for i = 1, #occurrences, 2 do
  result[#result + 1] = occurrences[i]
  result[#result + 1] = occurrences[i + 1]
  result[#result + 1] = redis.call('HGET', RECURRING, occurrences[i]) or ''
end
result[3] = #occurrences / 2
local header = #result

-- Whether a task popped from a ready list with a record not flagged 's' is where its flag says it
-- is: dead ('d'), waiting for its parents ('w') or held by a worker ('p'). The ready list's copy of
-- its id is then a stray duplicate, dropped; the task itself is untouched. Never on the hot path.
local function elsewhere(id, flag)
  if flag == 'd' then return redis.call('ZSCORE', DEAD, id) ~= false end
  if flag == 'w' then return redis.call('ZSCORE', WAITING, id) ~= false end
  if flag == 'p' then
    local prefix = lease_member(id, '')
    for _, member in ipairs(redis.call('ZRANGE', INFLIGHT, 0, -1)) do
      if string.sub(member, 1, #prefix) == prefix then return true end
    end
  end
  return false
end
-- Strict priority: high first, then normal, then low. Low-priority tasks wait while higher ones
-- are ready, so they can starve under sustained load (docs/design.md).
local ids = {}
for _, key in ipairs({ READY_HIGH, READY, READY_LOW }) do
  if #ids >= want then break end
  local popped = redis.call('LPOP', key, want - #ids)
  if popped then
    for _, id in ipairs(popped) do ids[#ids + 1] = id end
  end
end
if #ids > 0 then
  local expiry = int(now + tonumber(ARGV[2]))
  -- One token for the whole call: a task is taken at most once per call, so its lease_member still
  -- names one delivery, and no number is formatted per task.
  local token = int(redis.call('INCRBY', SEQ, 1))
  result[4] = token
  local records = redis.call('HMGET', TASKS, unpack(ids))
  local updates = {}
  local leases = {}
  local retried = {}
  local seen = {}
  local buried = {}
  for i, id in ipairs(ids) do
    local record = records[i]
    local flag, attempt, bar = nil, nil, nil
    if record then flag, attempt, bar = record_head(record) end
    -- `seen`: the same id twice in the ready lists (corrupted too) is taken once.
    if flag == 's' and not seen[id] then
      seen[id] = true
      if attempt > 0 then
        -- Only a task on its second attempt or later can be waiting for a retry.
        retried[#retried + 1] = id
      end
      record = with_attempt(record, 'p', attempt + 1, bar)
      updates[#updates + 1] = id
      updates[#updates + 1] = record
      leases[#leases + 1] = expiry
      leases[#leases + 1] = lease_member(id, token)
      result[#result + 1] = id
      result[#result + 1] = record
    elseif not seen[id] then
      seen[id] = true
      -- Never a cancelled task: cancel.lua deletes a record only together with its id's place in
      -- due, waiting or a ready list. So an id without a record, or with one this library cannot
      -- read, is corrupted data: it becomes a dead letter, record kept, rather than vanish.
      if not (flag and elsewhere(id, flag)) then
        bury_unreadable(id, record, flag)
        buried[#buried + 1] = id
      end
    end
  end
  if #updates > 0 then
    redis.call('HSET', TASKS, unpack(updates))
    redis.call('ZADD', INFLIGHT, unpack(leases))
  end
  if #retried > 0 then
    redis.call('ZREM', FAILED, unpack(retried))
  end
  announce_done(ARGV[10], buried)
end

if rate_limit > 0 and #result > header then
  redis.call('SET', RATE, int(second) .. '|' .. int(started + (#result - header) / 2), 'PX', 2000)
end

if #result == header and header == 4 then
  if redis.call('LLEN', READY) + redis.call('LLEN', READY_HIGH) + redis.call('LLEN', READY_LOW) > 0 then
    -- Tasks are waiting: a limit holds them back, or only corrupted or stray ids were popped.
    result[2] = limited_until or now
    return result
  end
  for _, key in ipairs({ DUE, INFLIGHT, RECURRING_NEXT }) do
    local at = first_score(key)
    if at and (result[2] == -1 or at < result[2]) then
      result[2] = at
    end
  end
end
return result
