using System.Text.RegularExpressions;
using NUnit.Framework;

namespace RedisScheduler.Tests;

/// <summary>
/// The library's folders (one namespace each) depend on each other in one direction only, so a
/// reader can learn them bottom-up: Common and Storage first, then Continuations, Recurring,
/// Scheduling and Handling, then DependencyInjection. The public types in the root namespace are
/// the vocabulary every folder speaks and are left out.
/// </summary>
public sealed partial class ArchitectureTests
{
    [Test]
    public void SourceFolders_DependOnEachOther_WithoutCycles()
    {
        var graph = ReadDependencies();
        Assert.That(graph.Keys, Has.Member("Handling").And.Member("Storage").And.Member("Scheduling"), "the source tree was read");

        var cycle = FindCycle(graph);

        Assert.That(cycle, Is.Null, () => "The folders of src/RedisScheduler depend on each other in a cycle: " + string.Join(" -> ", cycle!)
            + ". Move the shared piece down (Storage for formats and keys, Common for in-process helpers).");
    }

    [Test]
    public void SourceFiles_AreNoLongerThan300Lines()
    {
        var longFiles = Directory.EnumerateFiles(SourceRoot(), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => (Path: Path.GetRelativePath(SourceRoot(), path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > 300)
            .Select(file => $"{file.Path} ({file.Lines} lines)")
            .ToList();

        Assert.That(longFiles, Is.Empty, "one concept per file: split these into typed collaborators");
    }

    /// <summary>Folder → the folders its files name in a using directive or a qualified name.</summary>
    private static Dictionary<string, HashSet<string>> ReadDependencies()
    {
        var root = SourceRoot();
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path);
            var folder = relative.Split(Path.DirectorySeparatorChar)[0];
            if (folder == relative || folder is "obj" or "bin")
            {
                // A file of the root namespace: the public vocabulary.
                continue;
            }

            var uses = graph.TryGetValue(folder, out var set) ? set : graph[folder] = [];
            foreach (Match match in FolderReference().Matches(File.ReadAllText(path)))
            {
                var target = match.Groups[1].Value;
                if (target != folder)
                {
                    uses.Add(target);
                }
            }
        }

        return graph;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0)
            {
                return [.. path[at..], node];
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return graph.Keys.Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }

    private static string SourceRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RedisScheduler.sln")))
            {
                return Path.Combine(directory.FullName, "src", "RedisScheduler");
            }
        }

        throw new DirectoryNotFoundException("RedisScheduler.sln was not found above the test directory; the architecture tests read the source tree.");
    }

    [GeneratedRegex(@"\bRedisScheduler\.(Common|Storage|Diagnostics|Continuations|Recurring|Scheduling|Registry|Handling|HealthChecks|DependencyInjection)\b")]
    private static partial Regex FolderReference();
}
