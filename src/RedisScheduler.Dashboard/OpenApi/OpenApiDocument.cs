using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RedisScheduler.Dashboard.OpenApi;

/// <summary>
/// <c>GET api/openapi.json</c>: the OpenAPI 3.1 description of the admin API, written by hand and
/// embedded. Microsoft.AspNetCore.OpenApi generates documents only for an app that calls
/// <c>services.AddOpenApi()</c> and <c>MapOpenApi()</c>, which a package mapping endpoints into someone
/// else's app cannot do for it; a test checks that every mapped route is described, so it cannot drift.
/// Its server URL is relative (<c>./</c>), so it is right under any prefix and path base.
/// </summary>
internal static class OpenApiDocument
{
    private static readonly Lazy<byte[]> Document = new(Read);

    public static void Map(RouteGroupBuilder api)
        => api.MapGet("openapi.json", () => Results.Bytes(Document.Value, "application/json"));

    private static byte[] Read()
    {
        const string Resource = "RedisScheduler.Dashboard.openapi.json";
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded resource '{Resource}' is missing from the RedisScheduler.Dashboard assembly; the package is damaged.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
