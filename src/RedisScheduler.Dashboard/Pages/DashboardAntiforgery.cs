using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RedisScheduler.Dashboard.Pages;

/// <summary>
/// ASP.NET Core's antiforgery tokens for the dashboard's pages. The page's HTML carries a request token
/// (a meta tag) and the browser the matching cookie; the page's script sends the token in a header with
/// every POST and DELETE, and <see cref="DashboardRequestFilter"/> validates it.
/// </summary>
/// <remarks>
/// Why both this and the JSON API's cross-site refusal: the refusal (Sec-Fetch-Site, Origin, JSON-only
/// POSTs) stops another site's page, but leans on what browsers send. The token is the framework's own
/// defence for pages, and it is required exactly where a browser holds the pages' cookie, that is for
/// the callers a forgery could ride on. Scripts and tools that never opened a page (curl, HttpClient)
/// have no cookie and no ambient credentials to abuse, so they keep working with the cross-site rules
/// alone, as the API's tests expect.
/// The app's own <see cref="IAntiforgery"/> is used when it registered one (<c>services.AddAntiforgery()</c>),
/// so its options and data-protection keys apply; otherwise a private one, on the app's
/// <see cref="IDataProtectionProvider"/> when there is one and on in-memory keys when not (then a page
/// opened before a restart must be reloaded, and several replicas need the app to register shared keys).
/// </remarks>
internal sealed class DashboardAntiforgery
{
    private readonly IAntiforgery antiforgery;
    private readonly string cookieName;

    private DashboardAntiforgery(IAntiforgery antiforgery, AntiforgeryOptions options)
    {
        this.antiforgery = antiforgery;
        cookieName = options.Cookie.Name ?? throw new InvalidOperationException("AntiforgeryOptions.Cookie.Name is not set: leave it at its default or name the cookie.");
        HeaderName = options.HeaderName ?? throw new InvalidOperationException("AntiforgeryOptions.HeaderName is null: the dashboard sends its token in a header, so name one (the default is RequestVerificationToken).");
    }

    /// <summary>The request header the pages send the token in.</summary>
    public string HeaderName { get; }

    public static DashboardAntiforgery Create(IServiceProvider app)
    {
        if (app.GetService<IAntiforgery>() is { } own)
        {
            return new DashboardAntiforgery(own, app.GetRequiredService<IOptions<AntiforgeryOptions>>().Value);
        }

        var services = new ServiceCollection();
        services.AddSingleton(app.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(app.GetService<IDataProtectionProvider>() ?? new EphemeralDataProtectionProvider());
        services.AddAntiforgery();
        var provider = services.BuildServiceProvider();
        return new DashboardAntiforgery(provider.GetRequiredService<IAntiforgery>(), provider.GetRequiredService<IOptions<AntiforgeryOptions>>().Value);
    }

    /// <summary>A request token for a page, setting the cookie it is checked against.</summary>
    public string? IssueToken(HttpContext context) => antiforgery.GetAndStoreTokens(context).RequestToken;

    /// <summary>
    /// Whether a change request passes: one from a browser that holds the pages' cookie, or that sends a
    /// token, must carry a valid token; one with neither is left to the cross-site rules.
    /// </summary>
    public async Task<bool> IsAllowedAsync(HttpContext context)
    {
        var fromPage = context.Request.Cookies.ContainsKey(cookieName) || context.Request.Headers.ContainsKey(HeaderName);
        return !fromPage || await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false);
    }
}
