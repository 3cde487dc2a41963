namespace RedisScheduler.Recurring;

/// <summary>A recurring schedule whose next occurrence is due, as claim.lua returns it: its name, the occurrence (Unix ms) and its stored definition.</summary>
internal sealed record DueOccurrence(string Name, long OccurrenceMs, string DefinitionJson);
