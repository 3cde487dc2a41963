-- common.lua: helpers prepended to every other script when it is loaded, each script getting only
-- the definitions it uses (LuaPrelude.cs), so each script below is still one atomic EVALSHA and
-- pays only for what it calls.
--
-- Every script receives the twenty keys of one task type (schedule.lua only the ones it uses), all
-- sharing one {hash tag}, and reads them by the names below, given once here, never by number:
--   KEYS[1]  DUE        ZSET  local task id -> due time (Unix ms, Redis server clock)
--   KEYS[2]  READY      LIST  local task ids due and waiting for a worker, oldest first
--   KEYS[3]  INFLIGHT   ZSET  lease member (see lease_member) -> lease expiry (Unix ms)
--   KEYS[4]  TASKS      HASH  local task id -> task record (see new_record)
--   KEYS[5]  SEQ        STRING counter for task ids and delivery tokens
--   KEYS[6]  DEAD       ZSET  dead-lettered local task id -> when it died (Unix ms)
--   KEYS[7]  ERRORS     HASH  local task id -> last error (JSON), only for tasks that failed
--   KEYS[8]  RATE       STRING "<second>|<starts>": starts in the current second, for the rate limit
--   KEYS[9]  RECURRING  HASH  recurring schedule name -> its definition (JSON, payload included)
--   KEYS[10] RECURRING_NEXT ZSET recurring schedule name -> its next occurrence (Unix ms)
--   KEYS[11] READY_HIGH LIST  like READY, for high-priority tasks (see ready_key)
--   KEYS[12] READY_LOW  LIST  like READY, for low-priority tasks
--   KEYS[13] RESULTS    HASH  local task id -> result (JSON) of a TaskHandler<T, TResult>
--   KEYS[14] DONE       ZSET  local task id -> when its result was stored (Unix ms), for retention
--   KEYS[15] WAITERS    STRING how many WaitForCompletionAsync calls are waiting on this type
--   KEYS[16] WAITING    ZSET  continuation local id (see is_continuation) waiting for its parents -> when created
--   KEYS[17] DEPENDENTS HASH  local id -> public ids of the continuations waiting for it, space-separated
--   KEYS[18] OUTBOX     ZSET  "<outcome><continuation id>|<local id>|<result or error JSON>" -> when it ended:
--                             ends not yet delivered to the continuation's type (see notify_dependents)
--   KEYS[19] SUCCEEDED  ZSET  local id -> when it was acknowledged (Unix ms), the newest ones only
--   KEYS[20] FAILED     ZSET  local id of a task waiting for a retry after a failed attempt -> when it failed
-- Plus one key per continuation, derived rather than passed (see parents_key).
local DUE, READY, INFLIGHT, TASKS, SEQ = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local DEAD, ERRORS, RATE, RECURRING, RECURRING_NEXT = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local READY_HIGH, READY_LOW, RESULTS, DONE, WAITERS = KEYS[11], KEYS[12], KEYS[13], KEYS[14], KEYS[15]
local WAITING, DEPENDENTS, OUTBOX, SUCCEEDED, FAILED = KEYS[16], KEYS[17], KEYS[18], KEYS[19], KEYS[20]

-- Wake-ups and completion announcements: PUBLISH on one server; SPUBLISH (sharded pub/sub) on a Redis
-- Cluster, where the library sends every script with the next line switched to true
-- (SchedulerScript.ForCluster). A type's channels carry its hash tag, so they are in the slot of the
-- script's keys: the message stays on that shard instead of being broadcast to every node.
local SHARDED_PUBSUB = false
local function publish(channel, message)
  if SHARDED_PUBSUB then
    return redis.call('SPUBLISH', channel, message)
  end
  return redis.call('PUBLISH', channel, message)
end

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

-- Formats. Each format kept in Redis is written and read by the helpers below and by nothing else in
-- Lua, and in C# by the one type named with it; FormatRoundTripTests checks each pair against the other.

-- Generated ids (TaskId in C#): length-prefixed decimal ("c123" for 123). Members with equal scores
-- sort by bytes in a ZSET, so this keeps tasks due in the same millisecond in the order they were
-- scheduled; and a generated id starts with a letter, apart from every other kind of local id.
local function encode_id(n)
  local s = int(n)
  return string.char(96 + #s) .. s
end

-- Local id prefixes (TaskIdPrefix in C#): the first byte of a local id carries what routing needs,
-- so routing costs no Redis command. HIGH and LOW mark a priority other than normal, CONTINUATION a
-- task that waits for its parents. Others, never routed on: '=' a caller's task key, '@' an
-- occurrence of a recurring schedule (recur.lua), a letter a generated id of normal priority.
local HIGH, LOW, CONTINUATION = '^', '_', '+'
-- Compared as bytes: string.byte costs less per task than cutting out a one-character string.
local HIGH_BYTE, LOW_BYTE, CONTINUATION_BYTE = string.byte(HIGH), string.byte(LOW), string.byte(CONTINUATION)

-- The ready list of a task by its priority.
local function ready_key(id)
  local first = string.byte(id, 1)
  if first == HIGH_BYTE then return READY_HIGH end
  if first == LOW_BYTE then return READY_LOW end
  return READY
end

-- Whether a local id is a continuation's: it keeps its parents in a hash of its own (parents_key).
local function is_continuation(id)
  return string.byte(id, 1) == CONTINUATION_BYTE
end

-- Lease members (LeaseMember in C#): "<id>|<token>", the INFLIGHT member of one delivery, the task
-- and the token claim.lua gave the worker it went to. Local ids never contain '|'.
local function lease_member(id, token)
  return id .. '|' .. token
end

-- The local id of a lease member.
local function lease_id(member)
  return string.match(member, '^[^|]+')
end

-- The fencing check of a script that ends one delivery: removes its lease and says whether it still
-- held one. When it did not, the lease ran out and the task may be running elsewhere, so the caller
-- must change nothing: a stale worker can never finish another's delivery. (ack.lua makes the same
-- check for a batch in two commands: ZMSCORE of every lease_member, then one ZREM.)
local function take_lease(id, token)
  return redis.call('ZREM', INFLIGHT, lease_member(id, token)) == 1
end

-- Task records (TaskRecord in C#): "<flag><attempt>|<scheduledAt>|<dueAt>|<payload>", times in Unix
-- ms; one compact string per task keeps memory per pending task low. The flag is 's' waiting
-- (scheduled or ready), 'p' processing, 'd' dead-lettered, 'w' a continuation waiting for its
-- parents. Parts are passed as text, which callers format once per call where they can (see int).
-- `trace` (nil for none) is the scheduling trace context, which follows the scheduledAt digits:
-- '~<traceparent>[~<tracestate>[~<baggage>]]', made and read by StoredTraceContext in C# and passed
-- through here whole, only when an activity was current at scheduling. The helpers below keep it,
-- as they keep scheduledAt; with_link adds a link after it (to a failed attempt, or to the call that
-- defined a recurring schedule).
local function new_record(flag, attempt, scheduled_at, due_at, payload, trace)
  return flag .. attempt .. '|' .. scheduled_at .. (trace or '') .. '|' .. due_at .. '|' .. payload
end

-- The flag of a record.
local function flag_of(record)
  return string.sub(record, 1, 1)
end

-- The attempt count of a record, and where its first '|' is (for with_attempt).
local function attempt_of(record)
  local bar = string.find(record, '|', 1, true)
  return tonumber(string.sub(record, 2, bar - 1)), bar
end

-- The flag, attempt count and first '|' position of a record (for with_attempt), in one pattern
-- match (claim.lua calls it per task); nil when the record is not in the format above: it was edited
-- by hand or written by another program. Numbers are not range-checked here; TaskRecord.Parse does.
local function record_head(record)
  -- scheduledAt may carry the task's trace context after it ('~...', see StoredTraceContext).
  local flag, attempt, bar = string.match(record, '^(%a)(%d+)()|%d+[^|]*|%d+|')
  if flag then return flag, tonumber(attempt), bar end
  return nil
end

-- The record with another flag, keeping attempt, times and payload.
local function with_flag(record, flag)
  return flag .. string.sub(record, 2)
end

-- The record with another flag and attempt count, keeping times and payload. `bar` is where its
-- first '|' is, when the caller knows it already from attempt_of (claim.lua, per task).
local function with_attempt(record, flag, attempt, bar)
  bar = bar or string.find(record, '|', 1, true)
  return flag .. small_int(attempt) .. string.sub(record, bar)
end

-- The record with another flag and due time (text), keeping attempt, scheduledAt and payload.
local function with_due(record, flag, due_at)
  local first = string.find(record, '|', 1, true)
  local second = string.find(record, '|', first + 1, true)
  local third = string.find(record, '|', second + 1, true)
  return flag .. string.sub(record, 2, second) .. due_at .. string.sub(record, third)
end

-- The record with '^<traceparent>' after its scheduledAt field (and trace context), replacing an
-- earlier one: the span of its next run links to that span (StoredTraceContext). retry.lua links a
-- retry to the attempt that just failed; recur.lua an occurrence to the call that defined its schedule.
local function with_link(record, link)
  local first = string.find(record, '|', 1, true)
  local second = string.find(record, '|', first + 1, true)
  local keep = string.find(record, '^', first + 1, true)
  if keep == nil or keep > second then keep = second end
  return string.sub(record, 1, keep - 1) .. '^' .. link .. string.sub(record, second)
end

-- Fields of a type's RECURRING hash beside a schedule's definition (field '<name>'). A schedule name
-- has no '|', so they cannot clash with a definition (DefineScript in C#):
--   '<name>|paused' marks a paused schedule (see define.lua);
--   '<name>|link'   the traceparent of the call that defined it, which its occurrences link to.
local function paused_field(name)
  return name .. '|paused'
end

local function link_field(name)
  return name .. '|link'
end

-- Rewrites the flag of a task's record, if it still has one.
local function set_flag(id, flag)
  local record = redis.call('HGET', TASKS, id)
  if record then
    redis.call('HSET', TASKS, id, with_flag(record, flag))
  end
end

-- Moves at most `limit` due ids from the schedule to the tails of their ready lists, in due order.
local function promote(now, limit)
  local ids = redis.call('ZRANGE', DUE, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit)
  if #ids > 0 then
    -- They are the set's first members by rank, which Redis removes without looking each one up.
    redis.call('ZREMRANGEBYRANK', DUE, 0, #ids - 1)
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

-- Runs `command key args...` in chunks of `stride` * 1000 values: unpack fails beyond a few thousand.
local function chunked(command, key, args, stride)
  local size = 1000 * stride
  for first = 1, #args, size do
    redis.call(command, key, unpack(args, first, math.min(first + size - 1, #args)))
  end
end

-- A continuation (see is_continuation) keeps its parents in a hash of its own:
--   parent public id -> '' while it is pending, else its outcome ('s', 'd' or 'c') and JSON;
--   '#policy' 'c' (cancel when a parent failed) or 'r' (run anyway); '#total', '#pending',
--   '#succeeded', '#failed' (dead-lettered or cancelled) as counters.
-- Scripts derive its name instead of receiving it, because an ack batch or a sweep cannot name every
-- such key in advance. It carries the type's hash tag, so it sits in the declared keys' slot.
local function parents_key(id)
  return string.sub(TASKS, 1, -6) .. 'parents:' .. id
end

-- Activity buckets (ActivityBucket in C#): what a type's workers finished in one minute of the
-- server clock, for dashboards, kept in Redis so every replica of an app shows the same picture.
-- "<succeeded>|<failed attempts>|<lateness samples>|<lateness sum ms>|<lateness max ms>", the field
-- '<minute of the hour>' (0-59) of one HASH per type and hour, '<prefix>:{<type>}:activity:<Unix
-- hour>' (derived like parents_key, so it sits in the declared keys' slot). A small hash is a
-- listpack: 60 minutes cost about a sixth of 60 keys. Each hour's hash expires ACTIVITY_TTL_MS after
-- the first change of its last active minute (set then, not at every change: one command less per
-- call), so it outlives its hour by 24 h and at most 26 are kept per type, whatever the load.
-- Written by the scripts that end deliveries (ack.lua once per batch, retry.lua, dead.lua): no
-- round trip of its own, and two commands per call (three in a minute's first), not per task.
local ACTIVITY_TTL_MS = '90000000'

local function activity_key(hour)
  return string.sub(TASKS, 1, -6) .. 'activity:' .. hour
end

-- Reads the bucket of the minute `now` falls in, before the calling script writes anything (see
-- touch_parents: a key already moved by a slot migration then fails the call before any change).
-- Returns it as a table for add_activity.
local function read_activity(now)
  local minute = math.floor(now / 60000)
  local key = activity_key(int(math.floor(minute / 60)))
  local field = int(minute % 60)
  local bucket = { key = key, field = field, new = true, 0, 0, 0, 0, 0 }
  local text = redis.call('HGET', key, field)
  if text then
    local s, f, n, t, m = string.match(text, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)$')
    -- A bucket in another format (edited by hand) starts over rather than failing the ack.
    if s then bucket = { key = key, field = field, tonumber(s), tonumber(f), tonumber(n), tonumber(t), tonumber(m) } end
  end
  return bucket
end

-- Adds `succeeded` successes and `failed` failed attempts, and `samples` lateness samples summing
-- to `sum` ms with `max` ms the largest, to a bucket read by read_activity, and stores it.
local function add_activity(bucket, succeeded, failed, samples, sum, max)
  local m = bucket[5]
  if samples > 0 and max > m then m = max end
  redis.call('HSET', bucket.key, bucket.field, int(bucket[1] + succeeded) .. '|' .. int(bucket[2] + failed) .. '|' ..
    int(bucket[3] + samples) .. '|' .. int(bucket[4] + sum) .. '|' .. int(m))
  if bucket.new then
    redis.call('PEXPIRE', bucket.key, ACTIVITY_TTL_MS)
  end
end

-- Reads the parents hashes of the continuations among `ids` before a script writes anything: while
-- a cluster slot migrates, a key already moved makes Redis fail the call, and failing at the first
-- command leaves no half-done change behind.
local function touch_parents(ids)
  for _, id in ipairs(ids) do
    if is_continuation(id) then
      redis.call('EXISTS', parents_key(id))
    end
  end
end

-- Deletes the parents hashes of the continuations among `ids` (tasks that are gone for good).
local function forget_parents(ids)
  for _, id in ipairs(ids) do
    if is_continuation(id) then
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
  local lists = redis.call('HMGET', DEPENDENTS, unpack(ids))
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
    redis.call('HDEL', DEPENDENTS, unpack(notified))
    chunked('ZADD', OUTBOX, entries, 2)
  end
  return #entries / 2
end

-- Moves a task that left in-flight to the dead letters, keeping its record and the reason.
-- Returns how many continuations must hear of it (see notify_dependents).
local function bury(id, now, reason)
  set_flag(id, 'd')
  redis.call('ZADD', DEAD, now, id)
  redis.call('HSET', ERRORS, id, reason)
  return notify_dependents({ id }, 'd', { reason }, now)
end

-- Tells WaitForCompletionAsync callers that these tasks finished, but only while any are waiting:
-- one GET per call otherwise. Ids are joined with '|', which no local id contains.
local function announce_done(channel, ids)
  if #ids > 0 and redis.call('GET', WAITERS) then
    publish(channel, table.concat(ids, '|'))
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


