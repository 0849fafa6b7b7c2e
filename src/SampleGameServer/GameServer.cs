using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SampleGameServer.Rcon;

namespace SampleGameServer;

/// <summary>
/// Startup and ordered shutdown, with Minecraft-like console lines so log parsers written for
/// Minecraft (e.g. the "Done (…s)!" readiness line) work against this stand-in.
/// </summary>
public sealed class GameServer(ServerOptions options, ServerLog log, long startTimestamp)
{
    public async Task<int> RunAsync()
    {
        using var lifetime = new ServerLifetime();

        // Registered first, so a SIGTERM during startup is already a graceful stop.
        using var signals = new ShutdownSignals(log, lifetime, options.IgnoreSigterm);

        log.Info($"Starting sample game server \"{options.Name}\" version {ServerInfo.Version}");
        log.Info("Loading properties");

        var gameListener = TryBind("game", new IPEndPoint(options.Host, options.Port));
        if (gameListener is null)
        {
            return ExitCodes.StartupError;
        }

        await using var gamePort = new GamePort(gameListener, options.Name);
        log.Info($"Starting game server on {gamePort.LocalEndPoint}");
        var commands = new CommandProcessor(log, () => gamePort.OnlinePlayers, gamePort.CloseListener);

        RconServer? rcon = null;
        if (options.Rcon is { } rconOptions)
        {
            var rconListener = TryBind("RCON", new IPEndPoint(IPAddress.Loopback, rconOptions.Port));
            if (rconListener is null)
            {
                return ExitCodes.StartupError;
            }

            rcon = new RconServer(rconListener, rconOptions, commands, lifetime, log);
        }

        await using var rconScope = rcon;

        if (options.SpawnChild)
        {
            log.Info($"Spawned child pid {ChildSpawner.SpawnKeepAliveChild()}");
        }

        log.Info("Preparing level \"world\"");
        var heartbeat = new Heartbeat(log, options.HeartbeatInterval, startTimestamp, () => gamePort.OnlinePlayers.Count)
            .RunAsync(lifetime.Stopping);

        var console = Task.CompletedTask;
        if (await WaitUntilReadyAsync(lifetime.Stopping))
        {
            // Listen before printing "Done", so whoever sees the line can connect at once.
            gamePort.Start();
            rcon?.Start();
            var seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
            log.Info(string.Create(CultureInfo.InvariantCulture, $"Done ({seconds:0.000}s)! For help, type \"help\""));
            if (rcon is not null)
            {
                log.Info("Starting remote control listener");
                log.Info($"RCON running on {rcon.LocalEndPoint}");
            }

            // Like Minecraft, commands typed during startup wait in the pipe until the server is ready.
            console = new ConsoleCommandReader(Console.OpenStandardInput(), commands, lifetime, log).RunAsync(lifetime.Stopping);
        }

        await lifetime.WaitForStopAsync();

        log.Info("Stopping server");
        await console;
        if (rcon is not null)
        {
            await rcon.DisposeAsync();
        }

        log.Info("Saving players");
        await gamePort.DisposeAsync();
        log.Info("Saving worlds");
        await heartbeat;
        log.Info("Stopped");
        return ExitCodes.Graceful;
    }

    private async Task<bool> WaitUntilReadyAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(options.ReadyDelay, stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ConnectionListener? TryBind(string purpose, IPEndPoint endpoint)
    {
        try
        {
            return ConnectionListener.Bind(endpoint);
        }
        catch (SocketException e)
        {
            var reason = e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? "address already in use (is another server running on that port?)"
                : e.Message;
            Console.Error.WriteLine($"SampleGameServer: error: cannot bind the {purpose} port {endpoint}: {reason}");
            log.Error("**** FAILED TO BIND TO PORT!");
            log.Error($"The exception was: {e.Message}");
            return null;
        }
    }
}
