using System.Diagnostics;

namespace ServerDashboard.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs one of our executables from the test output directory to completion.</summary>
public static class ProcessRunner
{
    public static string PathOf(string executable) => Path.Combine(AppContext.BaseDirectory, executable);

    public static async Task<ProcessResult> RunAsync(string executable, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(PathOf(executable))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        // A command on a data directory uses that directory's store (TestStore: its PostgreSQL database when enabled).
        var arguments = args.ToList();
        var dataDir = arguments.IndexOf("--data-dir");
        if (executable == "ServerDashboard" && dataDir >= 0 && dataDir + 1 < arguments.Count)
        {
            foreach (var (name, value) in TestStore.EnvironmentFor(arguments[dataDir + 1]))
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', args)} did not exit within {timeout}.");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
