-- dispatch.lua: the standalone dispatcher; moves due tasks from the schedule to the ready list.
-- KEYS: the twenty keys described in common.lua.
-- ARGV[1]  the most tasks to move in this call (bounds the time the script holds Redis)
-- Returns: { moved, next due time in Unix ms or -1 when nothing is scheduled, server now in ms }
-- Atomic, so any number of instances may call it at once and each task moves exactly once.
local now = now_ms()
local moved = promote(now, tonumber(ARGV[1]))
return { moved, first_score(DUE) or -1, now }
