using System.Diagnostics;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// The dashboard as it is installed (<c>dotnet publish src/ServerDashboard -c Release</c>, README): published once per
/// benchmark run into a temp folder. Published, not the build output beside this program, because publishing is what
/// precompiles it (ReadyToRun, see the project file), which the cold-start figure depends on. <c>BENCH_DASHBOARD</c>
/// names another executable (e.g. an older build to compare with).
/// </summary>
public static class PublishedDashboard
{
    private static readonly Lazy<string> Path = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Executable => Path.Value;

    private static string Publish()
    {
        if (Environment.GetEnvironmentVariable("BENCH_DASHBOARD") is { Length: > 0 } given)
        {
            return given;
        }

        var project = System.IO.Path.Combine(RepositoryRoot(), "src", "ServerDashboard", "ServerDashboard.csproj");
        var output = Directory.CreateTempSubdirectory("sd-bench-dashboard-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(output);
        Console.WriteLine($"Publishing the dashboard (Release, ReadyToRun) → {output}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-o", output, "-v", "q", "--nologo" })
        {
            start.ArgumentList.Add(arg);
        }

        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        publish.WaitForExit();
        return publish.ExitCode == 0
            ? System.IO.Path.Combine(output, "ServerDashboard")
            : throw new InvalidOperationException($"dotnet publish {project} failed ({publish.ExitCode}): {stdout.Result}{stderr.Result}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ServerDashboard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository (ServerDashboard.sln) was not found above " + AppContext.BaseDirectory + "; set BENCH_DASHBOARD.");
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
