// A web app with RedisScheduler's dashboard: handlers that fail sometimes, a recurring schedule and a
// batch, fed a few tasks every 3 seconds. Open http://localhost:5080/scheduler/ (README: "Dashboard").
using RedisScheduler;
using RedisScheduler.WebSample;

// Use the Redis named by REDIS_SCHEDULER_CONFIGURATION, or else a private throwaway redis-server.
var configured = Environment.GetEnvironmentVariable("REDIS_SCHEDULER_CONFIGURATION");
using var privateRedis = string.IsNullOrEmpty(configured) ? RedisServerProcess.Start() : null;
var redisConfiguration = privateRedis?.Configuration ?? configured!;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://localhost:5080");
builder.Services.AddRedisScheduler(o => o.Configuration = redisConfiguration)
    .AddTaskHandler<EmailHandler>(h => h.Retry = new RetryPolicy { MaxAttempts = 3, InitialDelay = TimeSpan.FromSeconds(2) })
    .AddTaskHandler<ThumbnailHandler>()
    .AddTaskHandler<AlbumReadyHandler>()
    .AddTaskHandler<CleanupHandler>()
    .AddRecurringTask("temp-files", TimeSpan.FromSeconds(30), new Cleanup("temporary files"));
builder.Services.AddHostedService<Feeder>();

var app = builder.Build();
// Served to loopback requests only, as no authorization policy is required here: a real app adds
// .RequireAuthorization("ops") (see docs/dashboard.md).
app.MapRedisSchedulerDashboard("/scheduler");
app.MapGet("/", () => Results.Redirect("/scheduler/"));
Console.WriteLine(privateRedis is null ? $"Redis: {redisConfiguration}" : $"Redis: private redis-server on {redisConfiguration}");
await app.RunAsync();
