using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ServerDashboard.Rcon;

namespace ServerDashboard.Benchmarks;

/// <summary>
/// RCON round trips on loopback against SampleGameServer (minecraft style) over one connection with our client, and the
/// same with npm rcon-client (tests/peers/rcon-seq-test.js) in the same invocation. Targets: p50 ≤ 0.3 ms, ≥ 3,000/s.
/// </summary>
public sealed class RconScenarios(BenchmarkOptions options, BenchmarkReport report)
{
    private const int Warmup = 200;
    private const int Commands = 5000;
    public const string OursP50 = "RCON ours: p50 (5000 × echo, one connection)";
    private const string Password = "bench-password-123";

    public async Task RunAsync()
    {
        var port = FreePort();
        using var server = StartSampleGameServer(port);
        await using var client = new RconClient();
        await ConnectWithRetryAsync(client, port);

        for (var i = 0; i < Warmup; i++)
        {
            await client.ExecuteAsync("echo warm", CancellationToken.None);
        }

        var latencies = new double[Commands];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Commands; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var reply = await client.ExecuteAsync($"echo {i}", CancellationToken.None);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!reply.Text.Contains(i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"wrong reply to echo {i}: {reply.Text}");
            }
        }

        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        report.Add(OursP50, latencies[Commands / 2], "ms", "≤ 0.3");
        report.Add("RCON ours: p99", latencies[(int)(Commands * 0.99)], "ms");
        report.Add("RCON ours: commands/s", Commands / seconds, "cmd/s", "≥ 3000");

        if (!options.SkipPeers && await RunPeerAsync(port) is { } peer)
        {
            report.Add("RCON npm rcon-client: p50", peer.P50, "ms");
            report.Add("RCON npm rcon-client: p99", peer.P99, "ms");
        }

        server.Kill();
        await server.WaitForExitAsync();
    }

    private static Process StartSampleGameServer(int port)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "SampleGameServer"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--port", "0", "--rcon-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rcon-style", "minecraft", "--heartbeat-ms", "0", "--ready-delay-ms", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["RCON_PASSWORD"] = Password;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task ConnectWithRetryAsync(RconClient client, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                await client.ConnectAsync("127.0.0.1", port, Password, CancellationToken.None);
                return;
            }
            catch (RconException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // the server opens its RCON port once ready
            }
        }
    }

    private async Task<(double P50, double P99)?> RunPeerAsync(int port)
    {
        var script = Path.Combine(options.PeersDirectory, "rcon-seq-test.js");
        if (!File.Exists(script))
        {
            Console.WriteLine($"rcon-seq-test.js not found in {options.PeersDirectory}; skipped");
            return null;
        }

        // node finds rcon-client in the script's own folder (tests/peers/node_modules).
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { script, "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), Password, Commands.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        if (node.ExitCode != 0)
        {
            Console.WriteLine($"rcon-seq-test.js failed (run {Path.Combine(options.PeersDirectory, "setup.sh")}): {await node.StandardError.ReadToEndAsync()}");
            return null;
        }

        using var json = JsonDocument.Parse(output);
        double Read(string name) => double.Parse(json.RootElement.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return (Read("p50ms"), Read("p99ms"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
