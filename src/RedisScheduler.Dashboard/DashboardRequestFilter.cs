using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using RedisScheduler.Dashboard.Pages;

namespace RedisScheduler.Dashboard;

/// <summary>
/// Runs before every dashboard endpoint and fails closed: a remote request without an authorization
/// policy on the endpoint, a change in read-only mode, a change sent from another site, and a change from a
/// browser that opened the pages but sends no valid antiforgery token are refused (403) before any input is read.
/// </summary>
internal sealed class DashboardRequestFilter(RedisSchedulerDashboardOptions options, DashboardAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!IsLoopback(http.Connection.RemoteIpAddress) && !options.AllowRemoteWithoutAuthorization && !RequiresAuthorization(http.GetEndpoint()))
        {
            return DashboardProblems.Forbidden(
                "The scheduler's admin API answers remote requests only when it requires authorization: call .RequireAuthorization(\"your-policy\") " +
                "on what MapRedisSchedulerDashboard returns (or set RedisSchedulerDashboardOptions.AllowRemoteWithoutAuthorization, if another layer guards it).");
        }

        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return await next(context).ConfigureAwait(false);
        }

        if (options.ReadOnly)
        {
            return DashboardProblems.Forbidden("The scheduler's admin API is read-only (RedisSchedulerDashboardOptions.ReadOnly): it changes nothing.");
        }

        if (CrossSiteReason(http.Request) is { } reason)
        {
            return DashboardProblems.Forbidden(reason);
        }

        if (!await antiforgery.IsAllowedAsync(http).ConfigureAwait(false))
        {
            return DashboardProblems.Forbidden($"The dashboard page's antiforgery token is missing or stale (header {antiforgery.HeaderName}): reload the page and try again.");
        }

        return await next(context).ConfigureAwait(false);
    }

    // A null address is an in-process request with no network peer: not known to be local, so refused.
    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);

    private static bool RequiresAuthorization(Endpoint? endpoint)
        => endpoint is not null
            && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
            && (endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null || endpoint.Metadata.GetMetadata<AuthorizationPolicy>() is not null);

    /// <summary>
    /// Why a change request may come from another site's page, or <see langword="null"/>. A page can make a
    /// browser send a form POST anywhere, but not with <c>Content-Type: application/json</c> or a DELETE
    /// without a CORS preflight; and browsers say where a request comes from in <c>Sec-Fetch-Site</c> and <c>Origin</c>.
    /// </summary>
    private static string? CrossSiteReason(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
        {
            return $"A change must come from the dashboard's own origin; this request is '{fetchSite}' (Sec-Fetch-Site).";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return $"A change must come from the dashboard's own origin; this request comes from '{origin}'.";
        }

        if (HttpMethods.IsPost(request.Method) && !request.HasJsonContentType())
        {
            return "Send changes with 'Content-Type: application/json' (an empty body or {} where no fields are needed); other content types are refused as cross-site forgeries could use them.";
        }

        return null;
    }
}
