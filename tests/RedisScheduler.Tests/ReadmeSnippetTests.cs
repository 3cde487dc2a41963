using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace RedisScheduler.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md compiles, each on its own, as the one file of a user's
/// project would: the .NET SDK's implicit usings, nullable enabled, references to the framework,
/// the package with its dependencies and Microsoft.Extensions.Hosting (the quick start's host). A
/// README example that drifts from the API fails here, with its line in README.md.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    // What <ImplicitUsings>enable</ImplicitUsings> gives a project on Microsoft.NET.Sdk.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<MetadataReference[]> References = new(ReferencesOfAUserProject);

    public static IEnumerable<TestCaseData> Snippets()
    {
        // README.md is copied beside the test assembly (see the project file).
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md")).ReplaceLineEndings("\n");
        foreach (Match block in CSharpBlock().Matches(readme))
        {
            var firstLine = readme[..block.Groups["code"].Index].Count(c => c == '\n') + 1;
            yield return new TestCaseData(block.Groups["code"].Value, firstLine).SetArgDisplayNames($"README.md line {firstLine}");
        }
    }

    [Test]
    public void Readme_HasCSharpSnippets()
    {
        Assert.That(Snippets().Count(), Is.GreaterThanOrEqualTo(10), "the ```csharp blocks of README.md were not found: check CSharpBlock()");
    }

    [TestCaseSource(nameof(Snippets))]
    public void Snippet_Compiles(string code, int firstLine)
    {
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var snippet = CSharpSyntaxTree.ParseText(code, parse, path: "README.md");
        var topLevel = snippet.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet",
            [snippet, CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "GlobalUsings.g.cs")],
            References.Value,
            new CSharpCompilationOptions(
                topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                // Assembly version unification (8.0 references resolved to 10.0), which the SDK silences too.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

        var problems = compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => Describe(d, firstLine))
            .ToList();

        Assert.That(problems, Is.Empty, "fix the README block, or the API it shows");
    }

    private static string Describe(Diagnostic diagnostic, int firstLine)
    {
        var where = diagnostic.Location.GetLineSpan();
        var line = where.IsValid && where.Path == "README.md" ? $"README.md({where.StartLinePosition.Line + firstLine},{where.StartLinePosition.Character + 1})" : where.Path;
        return $"{line}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static MetadataReference[] ReferencesOfAUserProject()
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = new HashSet<string>(Directory.GetFiles(framework, "*.dll").Where(IsManaged), StringComparer.Ordinal);

        // The package and Microsoft.Extensions.Hosting, with everything they reference outside the framework.
        // And the OpenTelemetry SDK with its console exporter, for the Observability section.
        var pending = new Stack<Assembly>([
            typeof(ITaskScheduler).Assembly, typeof(Host).Assembly, typeof(OpenTelemetry.Sdk).Assembly,
            typeof(OpenTelemetry.Trace.ConsoleExporterHelperExtensions).Assembly]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var assembly))
        {
            if (!seen.Add(assembly.FullName!) || Path.GetDirectoryName(assembly.Location) == framework)
            {
                continue;
            }

            paths.Add(assembly.Location);
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                pending.Push(Assembly.Load(name));
            }
        }

        return [.. paths.Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManaged(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        return reader.HasMetadata;
    }

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
