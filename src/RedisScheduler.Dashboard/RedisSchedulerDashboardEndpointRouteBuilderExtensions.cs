using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RedisScheduler;
using RedisScheduler.Dashboard;
using RedisScheduler.Dashboard.Api;
using RedisScheduler.Dashboard.OpenApi;
using RedisScheduler.Dashboard.Pages;

// In ASP.NET Core's namespace, as MapHealthChecks is: a Program.cs needs no using of ours.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the RedisScheduler dashboard and admin API into an ASP.NET Core application.</summary>
public static class RedisSchedulerDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard's pages at <c><paramref name="pattern"/>/</c> and its admin API under
    /// <c><paramref name="pattern"/>/api</c>. It answers requests from a
    /// loopback address only, unless the returned builder is given an authorization policy
    /// (<c>.RequireAuthorization("ops")</c>) or <see cref="RedisSchedulerDashboardOptions.AllowRemoteWithoutAuthorization"/> is set.
    /// </summary>
    /// <param name="endpoints">The application's endpoints, such as a <c>WebApplication</c>.</param>
    /// <param name="pattern">The route prefix, such as <c>"/scheduler"</c>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The route group of the endpoints: the app's authorization, rate limiting and CORS apply to it as to any endpoint.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message says how to fix it.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddRedisScheduler()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapRedisSchedulerDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/scheduler", Action<RedisSchedulerDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var options = new RedisSchedulerDashboardOptions();
        configure?.Invoke(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(configure));
        }

        if (endpoints.ServiceProvider.GetService<ITaskScheduler>() is null)
        {
            throw new InvalidOperationException("MapRedisSchedulerDashboard needs the scheduler: call builder.Services.AddRedisScheduler(...) before building the app.");
        }

        var antiforgery = DashboardAntiforgery.Create(endpoints.ServiceProvider);
        var group = endpoints.MapGroup(pattern);
        group.AddEndpointFilter(new DashboardRequestFilter(options, antiforgery));
        DashboardPages.Map(group, options, antiforgery);
        var api = group.MapGroup("api");
        OverviewEndpoints.Map(api);
        ChartEndpoints.Map(api);
        OpenApiDocument.Map(api);
        TaskEndpoints.Map(api, options);
        DeadLetterEndpoints.Map(api, options);
        RecurringEndpoints.Map(api, options);
        return group;
    }
}
