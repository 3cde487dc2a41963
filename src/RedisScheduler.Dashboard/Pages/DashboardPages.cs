using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RedisScheduler.Dashboard.Pages;

/// <summary>
/// The dashboard's pages: one HTML shell at <c>&lt;prefix&gt;/</c> and its scripts and styles under
/// <c>assets/</c>, all embedded in this assembly (no CDN, no build step, works offline). The scripts draw
/// every page from the JSON API with URLs relative to the shell, so any prefix and any path base work.
/// </summary>
internal static class DashboardPages
{
    /// <summary>
    /// No inline script or style and no other origin: a script injected into a task's payload or error
    /// text could not run even if it escaped the page's text encoding. No framing (clickjacking).
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void Map(RouteGroupBuilder group, RedisSchedulerDashboardOptions options, DashboardAntiforgery antiforgery)
    {
        group.MapGet("/", (HttpContext context) => Shell(context, options, antiforgery)).ExcludeFromDescription();
        group.MapGet("assets/{name}", Asset).ExcludeFromDescription();
    }

    private static IResult Shell(HttpContext context, RedisSchedulerDashboardOptions options, DashboardAntiforgery antiforgery)
    {
        var request = context.Request;

        // Routing matches "/scheduler" and "/scheduler/" alike, but the page's relative URLs (api/…,
        // assets/…) resolve against the last '/': send the browser to the address with the slash.
        if (!request.Path.Value!.EndsWith('/'))
        {
            return Results.Redirect(request.PathBase + request.Path + "/" + request.QueryString);
        }

        // Headers first: antiforgery adds X-Frame-Options: SAMEORIGIN only when none is set, and these pages are never framed.
        SetSecurityHeaders(context.Response);
        context.Response.Headers.XFrameOptions = "DENY";
        var token = antiforgery.IssueToken(context) ?? "";
        var html = DashboardAssets.Html
            .Replace("{{token}}", HtmlEncoder.Default.Encode(token), StringComparison.Ordinal)
            .Replace("{{tokenHeader}}", HtmlEncoder.Default.Encode(antiforgery.HeaderName), StringComparison.Ordinal)
            .Replace("{{readOnly}}", options.ReadOnly ? "true" : "false", StringComparison.Ordinal)
            .Replace("{{refreshMs}}", ((long)options.RefreshInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{{pageSize}}", options.DefaultPageSize.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static IResult Asset(string name, HttpContext context)
    {
        if (DashboardAssets.Find(name) is not { } asset)
        {
            return DashboardProblems.NotFound($"The dashboard has no asset '{name}'.");
        }

        SetSecurityHeaders(context.Response);
        // Revalidated on each load (the ETag makes that cheap), so an upgraded package's pages never mix old and new scripts.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static void SetSecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
