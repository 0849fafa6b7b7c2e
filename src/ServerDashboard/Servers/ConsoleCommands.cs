using System.Text;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Audit;
using ServerDashboard.Data;
using ServerDashboard.Logs;
using ServerDashboard.Processes;
using ServerDashboard.Rcon;

namespace ServerDashboard.Servers;

public enum CommandOutcome
{
    Sent,
    NotFound,
    NotRunning,
    Invalid,
    Failed,
}

/// <summary>How a command reached the server: "rcon" or "stdin".</summary>
public static class CommandVia
{
    public const string Rcon = "rcon";
    public const string Stdin = "stdin";
}

/// <summary>
/// The result of <see cref="ConsoleCommands.SendAsync"/>. <see cref="Response"/> is the RCON reply ("" over stdin: the
/// server's reply, if any, appears in its console log); <see cref="Error"/> says why it failed, for the user.
/// </summary>
public sealed record CommandResult(CommandOutcome Outcome, string Response, TimeSpan Duration, string? Via, string? Error)
{
    public static CommandResult Refused(CommandOutcome outcome, string error) => new(outcome, "", TimeSpan.Zero, null, error);
}

/// <summary>
/// Sends console commands: over RCON when the definition has it enabled (the reply comes back), else as a line on the
/// daemon's stdin FIFO. Every attempt on an existing server is audited, whatever its outcome.
/// </summary>
public sealed class ConsoleCommands(
    IDbContextFactory<DashboardDbContext> dbFactory,
    ServerSupervisor supervisor,
    RconConnections rcon,
    LaunchPlanner planner,
    StdinWriter stdin,
    ServerLogHub logs,
    AuditLog audit,
    Microsoft.Extensions.Options.IOptions<RconOptions> rconOptions,
    TimeProvider time,
    ILogger<ConsoleCommands> logger)
{
    /// <summary>Same limit for both paths, so a command that works over stdin also works after RCON is enabled.</summary>
    public const int MaxCommandBytes = RconClient.MaxCommandBytes;

    /// <summary>The <see cref="LogLine.Source"/> of RCON commands and replies echoed into the console view.</summary>
    public const string RconLogSource = "rcon";

    /// <summary>The <see cref="LogLine.Source"/> of commands written to a server's stdin, echoed into the console view.</summary>
    public const string StdinLogSource = "stdin";

    /// <summary>Null when the command may be sent; else why not.</summary>
    public static string? Validate(string? command)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return "The command is empty.";
        }

        if (command.Contains('\n') || command.Contains('\r') || command.Contains('\0'))
        {
            // Over stdin a newline would smuggle in a second command; NUL breaks C-string parsers in game servers.
            return "The command must be one line without NUL characters.";
        }

        var bytes = Encoding.UTF8.GetByteCount(command);
        return bytes > MaxCommandBytes ? $"The command is {bytes} bytes in UTF-8; the limit is {MaxCommandBytes}." : null;
    }

    public async Task<CommandResult> SendAsync(int serverId, string? command, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var server = await db.Servers.AsNoTracking()
            .Where(s => s.Id == serverId)
            .Select(s => new { s.Name, s.RconEnabled })
            .FirstOrDefaultAsync(cancellationToken);
        if (server is null)
        {
            return CommandResult.Refused(CommandOutcome.NotFound, $"No server with id {serverId}.");
        }

        var result = Validate(command) is { } invalid
            ? CommandResult.Refused(CommandOutcome.Invalid, invalid)
            : !supervisor.IsRunning(serverId)
                ? CommandResult.Refused(CommandOutcome.NotRunning, $"Server '{server.Name}' is not running.")
                : server.RconEnabled && rconOptions.Value.Enabled // RCON turned off globally: every server takes stdin
                    ? await SendOverRconAsync(serverId, command!, cancellationToken)
                    : await SendOverStdinAsync(serverId, command!, cancellationToken);

        await audit.RecordAsync(actor, AuditActions.Command, serverId, server.Name, command ?? "",
            result.Outcome == CommandOutcome.Sent, result.Error ?? result.Response);
        return result;
    }

    private async Task<CommandResult> SendOverRconAsync(int serverId, string command, CancellationToken cancellationToken)
    {
        // The echo goes in before the command is sent: what the server prints because of it (read from console.log) then
        // lands after the echo in the stream, not before it. The reply follows once it is back.
        await EchoCommandAsync(serverId, RconLogSource, command, cancellationToken);
        try
        {
            var reply = await rcon.ExecuteAsync(serverId, command, cancellationToken);
            await EchoReplyAsync(serverId, reply.Text);
            return new CommandResult(CommandOutcome.Sent, reply.Text, reply.Duration, CommandVia.Rcon, null);
        }
        catch (RconAuthenticationException)
        {
            return Failed(serverId, RconLogSource, "RCON failed: wrong RCON password (the server was started with a different password than the definition holds; restart it to apply the stored one).");
        }
        catch (RconTimeoutException e)
        {
            return Failed(serverId, RconLogSource, $"RCON failed: timeout ({e.Message}).");
        }
        catch (RconConnectionException e)
        {
            return Failed(serverId, RconLogSource, $"RCON failed: connection refused or closed ({e.Message}).");
        }
        catch (RconException e)
        {
            return Failed(serverId, RconLogSource, $"RCON failed: {e.Message}");
        }
    }

    private async Task<CommandResult> SendOverStdinAsync(int serverId, string command, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        await EchoCommandAsync(serverId, StdinLogSource, command, cancellationToken); // before the write, like the RCON echo: the server's answer follows it
        try
        {
            stdin.WriteLine(planner.StdinFifoPath(serverId), Encoding.UTF8.GetBytes(command + "\n"));
            return new CommandResult(CommandOutcome.Sent, "", time.GetElapsedTime(started), CommandVia.Stdin, null);
        }
        catch (StdinWriteException e)
        {
            return Failed(serverId, StdinLogSource, $"Console input failed: {e.Message}.");
        }
    }

    private CommandResult Failed(int serverId, string source, string error)
    {
        logger.LogWarning("Console command to server {ServerId} failed: {Error}", serverId, Text.LogText.Escape(error));
        logs.Append(serverId, source, ["! " + error]);
        return CommandResult.Refused(CommandOutcome.Failed, error);
    }

    /// <summary>
    /// Commands sent from the dashboard are echoed into the server's live log (memory only, not console.log), marked
    /// with how they went ("rcon" or "stdin"), so every viewer of the console sees who asked for what. The echo goes after
    /// what the server printed before the command (its lines may be held back while nobody watches: the hub reads them first).
    /// </summary>
    private async Task EchoCommandAsync(int serverId, string source, string command, CancellationToken cancellationToken)
    {
        await logs.CatchUpAsync(serverId, cancellationToken);
        logs.Append(serverId, source, ["> " + command]);
    }

    /// <summary>
    /// A server need not print what it answers over RCON, so the console view would never show the reply: echo it too,
    /// after what the server printed while it handled the command.
    /// </summary>
    private async Task EchoReplyAsync(int serverId, string reply)
    {
        var lines = reply.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Where(l => l.Length > 0).ToList();
        if (lines.Count > 0)
        {
            await logs.CatchUpAsync(serverId);
            logs.Append(serverId, RconLogSource, lines);
        }
    }
}
