using RedisScheduler.LoadTest.Agent;
using RedisScheduler.LoadTest.Hangfire;

// Launched by RedisScheduler.LoadTest as `dotnet RedisScheduler.LoadTest.Hangfire.dll agent ...`;
// see AgentMain for the protocol.
return await AgentMain.RunAsync(args, _ => new HangfireAgent());
