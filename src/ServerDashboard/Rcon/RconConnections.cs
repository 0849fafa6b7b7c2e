using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ServerDashboard.Rcon;

/// <summary>
/// One kept-open RCON connection per server, opened on first use. A connection that died (the server restarted) is
/// replaced, retrying refused/reset connects with backoff for up to <see cref="RconOptions.ReconnectTimeout"/>; a
/// wrong password fails at once and is never retried, so a bad definition cannot turn into a connect storm.
/// </summary>
public sealed class RconConnections(
    RconTargetLookup lookup,
    IOptions<RconOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    RconMetrics? metrics = null) : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<int, Slot> slots = new();
    private readonly ILogger logger = loggers.CreateLogger<RconConnections>();
    private volatile bool disposed;

    public Task<RconResponse> ExecuteAsync(int serverId, string command, CancellationToken cancellationToken) =>
        ExecuteAsync(serverId, command, timeout: null, cancellationToken);

    /// <summary>Runs a command on the server's connection, (re)connecting first if needed.</summary>
    /// <exception cref="RconUnavailableException">The server is unknown or has RCON disabled.</exception>
    public async Task<RconResponse> ExecuteAsync(int serverId, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        bool succeeded = false, attempted = true;
        try
        {
            var response = await ExecuteUnmeasuredAsync(serverId, command, timeout, cancellationToken);
            succeeded = true;
            return response;
        }
        catch (RconUnavailableException)
        {
            attempted = false; // RCON is off for this server: no command was tried, nothing to count
            throw;
        }
        finally
        {
            if (attempted)
            {
                metrics?.CommandFinished(serverId, time.GetElapsedTime(started), succeeded);
            }
        }
    }

    private async Task<RconResponse> ExecuteUnmeasuredAsync(int serverId, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!options.Value.Enabled)
        {
            throw new RconUnavailableException("RCON is turned off for the whole dashboard (Rcon:Enabled=false, DAEMON_ENABLE_RCON)");
        }

        var target = await lookup(serverId, cancellationToken)
            ?? throw new RconUnavailableException($"server {serverId} has no RCON (enable it and set a port and password)");
        var slot = slots.GetOrAdd(serverId, _ => new Slot(new RconLatency(options.Value.LatencySamples)));
        var limit = timeout ?? options.Value.CommandTimeout;
        var client = await GetConnectedAsync(serverId, slot, target, cancellationToken);
        // One deadline for the command from here on: queueing behind a stalled command, the retry after that command
        // closed the connection, and the retry's reply all come out of it (it used to restart, so a queued command
        // answered after ~2x the timeout).
        var started = time.GetTimestamp();
        try
        {
            return await client.ExecuteAsync(command, limit, cancellationToken);
        }
        catch (RconConnectionException e) when (!e.CommandSent)
        {
            // The kept-open connection died before the command left (the server restarted, or an earlier command timed
            // out and closed it): one fresh try is safe, within what is left of the deadline.
            logger.LogDebug("RCON connection of server {ServerId} was closed ({Error}); reconnecting", serverId, Text.LogText.Escape(e.Message));
        }

        var remaining = limit - time.GetElapsedTime(started);
        if (remaining <= TimeSpan.Zero)
        {
            throw new RconTimeoutException($"RCON command to server {serverId} timed out after {limit.TotalSeconds:0.###} s (its connection closed while it waited)");
        }

        using var deadline = new CancellationTokenSource(remaining, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            client = await GetConnectedAsync(serverId, slot, target, linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RconTimeoutException($"RCON command to server {serverId} timed out after {limit.TotalSeconds:0.###} s while reconnecting");
        }

        remaining = limit - time.GetElapsedTime(started);
        return remaining <= TimeSpan.Zero
            ? throw new RconTimeoutException($"RCON command to server {serverId} timed out after {limit.TotalSeconds:0.###} s while reconnecting")
            : await client.ExecuteAsync(command, remaining, cancellationToken);
    }

    /// <summary>
    /// Sends the stop command. The server may close the connection as it goes down, before or instead of replying:
    /// once the command was sent, that counts as delivered.
    /// </summary>
    public async Task RequestStopAsync(int serverId, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await ExecuteAsync(serverId, command, timeout, cancellationToken);
            logger.LogInformation("Server {ServerId} acknowledged the RCON stop command: {Reply}", serverId, Text.LogText.Escape(Shorten(reply.Text)));
        }
        catch (RconConnectionException e) when (e.CommandSent)
        {
            logger.LogInformation("Server {ServerId} closed its RCON connection after the stop command (taken as delivered)", serverId);
        }
    }

    /// <summary>p50/p99 of the server's recent commands (across reconnects).</summary>
    public RconLatencySnapshot Latency(int serverId) =>
        slots.TryGetValue(serverId, out var slot) ? slot.Latency.Snapshot() : new RconLatencySnapshot(0, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>True while a kept-open, authenticated connection exists for the server.</summary>
    public bool IsConnected(int serverId) => slots.TryGetValue(serverId, out var slot) && slot.Client is { IsConnected: true };

    private async Task<RconClient> GetConnectedAsync(int serverId, Slot slot, RconTarget target, CancellationToken cancellationToken)
    {
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (slot.Client is { IsConnected: true } current && slot.Target == target)
            {
                return current;
            }

            if (slot.Client is { } stale)
            {
                slot.Client = null;
                await stale.DisposeAsync(); // closed, or the definition's port/password changed
            }

            slot.Client = await ConnectWithRetryAsync(serverId, target, slot.Latency, cancellationToken);
            slot.Target = target;
            return slot.Client;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task<RconClient> ConnectWithRetryAsync(int serverId, RconTarget target, RconLatency latency, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = FirstRetryDelay;
        var attempts = 0;
        while (true)
        {
            attempts++;
            var client = new RconClient(options.Value, time, loggers.CreateLogger<RconClient>(), latency);
            try
            {
                await client.ConnectAsync(target.Host, target.Port, target.Password, cancellationToken);
                if (attempts > 1)
                {
                    logger.LogInformation("RCON of server {ServerId} at {Endpoint} reconnected after {Attempts} attempts", serverId, target, attempts);
                }

                return client;
            }
            catch (RconConnectionException e)
            {
                await client.DisposeAsync();
                var elapsed = time.GetElapsedTime(started);
                if (options.Value.RetryAttempts is { } retries && attempts > retries)
                {
                    throw new RconConnectionException(
                        $"could not reach RCON of server {serverId} at {target} after {attempts} attempts: {e.Message}", e);
                }

                if (elapsed + delay >= options.Value.ReconnectTimeout)
                {
                    throw new RconConnectionException(
                        $"could not reach RCON of server {serverId} at {target} within {options.Value.ReconnectTimeout.TotalSeconds:0.#} s ({attempts} attempts): {e.Message}", e);
                }
            }
            catch (RconAuthenticationException)
            {
                await client.DisposeAsync();
                logger.LogWarning("RCON of server {ServerId} at {Endpoint} refused the password; not retrying", serverId, target);
                throw;
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }

            // Refused or reset: the server is (re)starting. Back off 100 ms, 200 ms, ... up to 1 s between tries.
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        foreach (var slot in slots.Values)
        {
            if (slot.Client is { } client)
            {
                await client.DisposeAsync();
            }
        }

        slots.Clear();
    }

    /// <summary>For containers disposed synchronously (bUnit): closes the sockets without awaiting the read loops.</summary>
    public void Dispose()
    {
        disposed = true;
        foreach (var slot in slots.Values)
        {
            slot.Client?.Dispose();
        }

        slots.Clear();
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private sealed class Slot(RconLatency latency)
    {
        /// <summary>Serializes connecting, so concurrent first commands share one connection.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public RconLatency Latency { get; } = latency;

        public RconClient? Client { get; set; }

        public RconTarget? Target { get; set; }
    }
}
