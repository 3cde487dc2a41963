-- ack.lua: workers finished tasks; they are removed for good. Several acknowledgements of one type
-- travel in one call.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  the type's done channel, announced to while WaitForCompletionAsync callers wait
-- ARGV[2]  how many succeeded ids to keep in the succeeded history (0: keep none); as it is trimmed
--          in steps, it may hold up to min(ARGV[2], 256) more, plus one call's ids
-- ARGV[3]  how many of these tasks have a lateness (see ClaimCall.LatenessSeconds; all but
--          deliveries made by hand); ARGV[4] their lateness summed, ARGV[5] the largest (whole ms)
-- ARGV[6..n] quadruples (local task id, delivery token from claim.lua, '1' when an earlier attempt
--       failed so its last error is deleted too, else '0', the result as JSON or '' for none)
-- Returns: { how many outbox entries were written for continuations of these tasks, then the
-- local ids whose delivery's lease was lost (the task was handed out again) }; nothing is changed
-- for those: a stale worker can never complete another's delivery.
-- The successes and the lateness figures are added to this minute's activity bucket (common.lua).
local now = now_ms()
local activity = read_activity(now)
local members = {}
for i = 6, #ARGV, 4 do
  members[#members + 1] = lease_member(ARGV[i], ARGV[i + 1])
end
-- The fencing check (see take_lease) for the whole batch: which deliveries still hold their lease,
-- in one command; then one ZREM and one HDEL for all.
local scores = redis.call('ZMSCORE', INFLIGHT, unpack(members))
local live = {}
local ids = {}
local details = {}
local errors = {}
local results = {}
local finished = {}
local history = {}
local lost = { 0 }
local now_text = int(now)
for j, member in ipairs(members) do
  local at = 4 * j + 2
  local id = ARGV[at]
  if scores[j] then
    live[#live + 1] = member
    ids[#ids + 1] = id
    history[#history + 1] = now_text
    history[#history + 1] = id
    if ARGV[at + 2] == '1' then
      errors[#errors + 1] = id
    end
    details[#ids] = ARGV[at + 3]
    if ARGV[at + 3] ~= '' then
      results[#results + 1] = id
      results[#results + 1] = ARGV[at + 3]
      finished[#finished + 1] = now_text
      finished[#finished + 1] = id
    end
  else
    lost[#lost + 1] = id
  end
end
if #live > 0 then
  touch_parents(ids)
  redis.call('ZREM', INFLIGHT, unpack(live))
  redis.call('HDEL', TASKS, unpack(ids))
  forget_parents(ids)
  local keep = tonumber(ARGV[2])
  if keep > 0 then
    -- Only the newest `keep`: the history must not grow with the number of tasks ever run.
    redis.call('ZADD', SUCCEEDED, unpack(history))
    -- Trimmed in steps (of 256 for the default limit), so most calls add without removing.
    if redis.call('ZCARD', SUCCEEDED) > keep + math.min(keep, 256) then
      redis.call('ZREMRANGEBYRANK', SUCCEEDED, 0, -keep - 1)
    end
  else
    -- The history was turned off: what an earlier setting kept goes too.
    redis.call('DEL', SUCCEEDED)
  end
  lost[1] = notify_dependents(ids, 's', details, now)
  add_activity(activity, #ids, 0, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
end
if #errors > 0 then
  redis.call('HDEL', ERRORS, unpack(errors))
end
if #results > 0 then
  redis.call('HSET', RESULTS, unpack(results))
  redis.call('ZADD', DONE, unpack(finished))
end
announce_done(ARGV[1], ids)
return lost
