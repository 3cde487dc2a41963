using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>The OpenAPI description served at api/openapi.json describes exactly the routes mapped.</summary>
public sealed class OpenApiTests
{
    [Test]
    public async Task OpenApiDocument_DescribesEveryMappedRoute_AndNoOther()
    {
        await using var app = await DashboardApp.StartAsync();

        var document = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/openapi.json");

        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet();
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/scheduler/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText!["/scheduler/api".Length..]}"))
            .ToHashSet();
        Assert.That(document.GetProperty("openapi").GetString(), Is.EqualTo("3.1.0"));
        Assert.That(mapped, Has.Count.GreaterThan(20));
        Assert.That(mapped.Except(described), Is.Empty, "mapped but not described");
        Assert.That(described.Except(mapped), Is.Empty, "described but not mapped");
    }

    [Test]
    public async Task OpenApiDocument_EveryOperationDocumentsItsPathParameters()
    {
        await using var app = await DashboardApp.StartAsync();
        var document = await app.Client.GetFromJsonAsync<JsonElement>("/scheduler/api/openapi.json");

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var inPath = System.Text.RegularExpressions.Regex.Matches(path.Name, "{(\\w+)}").Select(m => m.Groups[1].Value).ToList();
            foreach (var operation in path.Value.EnumerateObject())
            {
                var declared = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Select(p => p.TryGetProperty("$ref", out var r) ? r.GetString()!.Split('/')[^1] : p.GetProperty("name").GetString()!).ToList()
                    : [];
                Assert.That(declared, Is.SupersetOf(inPath), $"{operation.Name} {path.Name}");
            }
        }
    }
}
