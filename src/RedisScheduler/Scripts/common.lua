-- common.lua: helpers prepended to every other script when it is loaded (see SchedulerScripts.cs),
-- so each script below is still one atomic EVALSHA.
--
-- Every script receives the same twenty keys of one task type, all sharing one {hash tag}:
--   KEYS[1] due       ZSET  local task id -> due time (Unix ms, Redis server clock)
--   KEYS[2] ready     LIST  local task ids due and waiting for a worker, oldest first
--   KEYS[3] inflight  ZSET  "<id>|<token>" -> lease expiry (Unix ms)
--   KEYS[4] tasks     HASH  local task id -> record "<flag><attempt>|<scheduledAt>|<dueAt>|<payload>"
--                           flag: 's' waiting (scheduled or ready), 'p' processing, 'd' dead-lettered,
--                           'w' a continuation waiting for its parents
--   KEYS[5] seq       STRING counter for task ids and delivery tokens
--   KEYS[6] dead      ZSET  dead-lettered local task id -> when it died (Unix ms)
--   KEYS[7] errors    HASH  local task id -> last error (JSON), only for tasks that failed
--   KEYS[8] rate      STRING "<second>|<starts>": starts in the current second, for the rate limit
--   KEYS[9] recurring HASH  recurring schedule name -> its definition (JSON, payload included)
--   KEYS[10] recurring-next ZSET recurring schedule name -> its next occurrence (Unix ms)
--   KEYS[11] ready-high LIST  like ready, for high-priority tasks (local ids starting with '^')
--   KEYS[12] ready-low  LIST  like ready, for low-priority tasks (local ids starting with '_')
--   KEYS[13] results  HASH  local task id -> result (JSON) of a TaskHandler<T, TResult>
--   KEYS[14] done     ZSET  local task id -> when its result was stored (Unix ms), for retention
--   KEYS[15] waiters  STRING how many WaitForCompletionAsync calls are waiting on this type
--   KEYS[16] waiting  ZSET  continuation local id (starting with '+') waiting for its parents -> when created
--   KEYS[17] dependents HASH local id -> public ids of the continuations waiting for it, space-separated
--   KEYS[18] outbox   ZSET  "<outcome><continuation id>|<local id>|<result or error JSON>" -> when it ended:
--                           ends not yet delivered to the continuation's type (see notify_dependents)
--   KEYS[19] succeeded ZSET local id -> when it was acknowledged (Unix ms), the newest ones only
--   KEYS[20] failed   ZSET  local id of a task waiting for a retry after a failed attempt -> when it failed
-- Plus one key per continuation, derived rather than passed (see parents_key).

-- Whole milliseconds of the server clock, rounded down: a task due at D is handed out only when
-- now >= D, and rounding down can only make "now" earlier, so a task never starts early.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Formatting numbers is the costliest thing these scripts do per task, so scripts format once per
-- call where they can, and pass strings rather than numbers to redis.call (which formats each number).
local function int(n)
  return string.format('%d', n)
end

-- A small count as text without formatting: attempts are nearly always below 10.
local function small_int(n)
  if n >= 0 and n < 10 then return string.char(48 + n) end
  return int(n)
end

-- Length-prefixed decimal ("c123" for 123): members with equal scores sort by bytes in a ZSET,
-- so this keeps tasks due in the same millisecond in the order they were scheduled.
local function encode_id(n)
  local s = int(n)
  return string.char(96 + #s) .. s
end

-- The ready list of a task by its priority, which the first byte of its local id carries, so
-- routing it costs no Redis command.
local function ready_key(id)
  local first = string.byte(id, 1)
  if first == 94 then return KEYS[11] end -- '^' high
  if first == 95 then return KEYS[12] end -- '_' low
  return KEYS[2]
end

-- Moves at most `limit` due ids from the schedule to the tails of their ready lists, in due order.
local function promote(now, limit)
  local ids = redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
  if #ids > 0 then
    -- They are the set's first members by rank, which Redis removes without looking each one up.
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #ids - 1)
    local by_list = {}
    for _, id in ipairs(ids) do
      local key = ready_key(id)
      by_list[key] = by_list[key] or {}
      table.insert(by_list[key], id)
    end
    for key, list in pairs(by_list) do
      redis.call('RPUSH', key, unpack(list))
    end
  end
  return #ids
end

-- Score of the first member of a ZSET, or nil when it is empty.
local function first_score(key)
  local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if head[2] then return tonumber(head[2]) end
  return nil
end

-- The attempt count of a record ("<flag><attempt>|..."), and where its first '|' is.
local function attempt_of(record)
  local bar = string.find(record, '|', 1, true)
  return tonumber(string.sub(record, 2, bar - 1)), bar
end

-- Rewrites a record's flag, keeping attempt, times and payload.
local function set_flag(id, flag)
  local record = redis.call('HGET', KEYS[4], id)
  if record then
    redis.call('HSET', KEYS[4], id, flag .. string.sub(record, 2))
  end
end

-- Runs `command key args...` in chunks of `stride` * 1000 values: unpack fails beyond a few thousand.
local function chunked(command, key, args, stride)
  local size = 1000 * stride
  for first = 1, #args, size do
    redis.call(command, key, unpack(args, first, math.min(first + size - 1, #args)))
  end
end

-- A continuation (local id starting with '+') keeps its parents in a hash of its own:
--   parent public id -> '' while it is pending, else its outcome ('s', 'd' or 'c') and JSON;
--   '#policy' 'c' (cancel when a parent failed) or 'r' (run anyway); '#total', '#pending',
--   '#succeeded', '#failed' (dead-lettered or cancelled) as counters.
-- Scripts derive its name instead of receiving it, because an ack batch or a sweep cannot name every
-- such key in advance. It carries the type's hash tag, so it sits in the declared keys' slot.
local function parents_key(id)
  return string.sub(KEYS[4], 1, -6) .. 'parents:' .. id
end

-- Reads the parents hashes of the continuations among `ids` before a script writes anything: while
-- a cluster slot migrates, a key already moved makes Redis fail the call, and failing at the first
-- command leaves no half-done change behind.
local function touch_parents(ids)
  for _, id in ipairs(ids) do
    if string.byte(id, 1) == 43 then -- '+'
      redis.call('EXISTS', parents_key(id))
    end
  end
end

-- Deletes the parents hashes of the continuations among `ids` (tasks that are gone for good).
local function forget_parents(ids)
  for _, id in ipairs(ids) do
    if string.byte(id, 1) == 43 then -- '+'
      redis.call('DEL', parents_key(id))
    end
  end
end

-- These tasks ended with `outcome` ('s' succeeded, 'd' dead-lettered, 'c' cancelled): every
-- continuation registered on them gets an outbox entry. A worker then delivers it with resolve.lua
-- to the continuation's type, which may live in another cluster slot, so it cannot happen here.
-- `details[i]` is the result or error JSON of ids[i] (nil for none). Returns the entries written.
local function notify_dependents(ids, outcome, details, now)
  if #ids == 0 then return 0 end
  local lists = redis.call('HMGET', KEYS[17], unpack(ids))
  local notified = {}
  local entries = {}
  for i, list in ipairs(lists) do
    if list then
      notified[#notified + 1] = ids[i]
      for child in string.gmatch(list, '%S+') do
        entries[#entries + 1] = now
        entries[#entries + 1] = outcome .. child .. '|' .. ids[i] .. '|' .. (details[i] or '')
      end
    end
  end
  if #notified > 0 then
    redis.call('HDEL', KEYS[17], unpack(notified))
    chunked('ZADD', KEYS[18], entries, 2)
  end
  return #entries / 2
end

-- Moves a task that left in-flight to the dead letters, keeping its record and the reason.
-- Returns how many continuations must hear of it (see notify_dependents).
local function bury(id, now, reason)
  set_flag(id, 'd')
  redis.call('ZADD', KEYS[6], now, id)
  redis.call('HSET', KEYS[7], id, reason)
  return notify_dependents({ id }, 'd', { reason }, now)
end

-- Tells WaitForCompletionAsync callers that these tasks finished, but only while any are waiting:
-- one GET per call otherwise. Ids are joined with '|', which no local id contains.
local function announce_done(channel, ids)
  if #ids > 0 and redis.call('GET', KEYS[15]) then
    redis.call('PUBLISH', channel, table.concat(ids, '|'))
  end
end

-- Deletes the members of `index` (a ZSET scored by time) older than `retention` ms, at most
-- `limit` of them, with their fields in `hashes` and, for tasks, their parents hashes.
-- A retention of 0 does nothing.
local function sweep(index, hashes, retention, now, limit, tasks)
  if retention <= 0 then return end
  local old = redis.call('ZRANGE', index, '-inf', now - retention, 'BYSCORE', 'LIMIT', 0, limit)
  if #old > 0 then
    if tasks then touch_parents(old) end
    redis.call('ZREM', index, unpack(old))
    for _, hash in ipairs(hashes) do
      redis.call('HDEL', hash, unpack(old))
    end
    if tasks then forget_parents(old) end
  end
end


