using System.Globalization;
using System.Text;

namespace SampleGameServer;

public enum CommandSource
{
    Console,
    Rcon,
}

/// <summary>
/// The result of one command. <see cref="Reply"/> is printed on the console or sent over RCON;
/// a stop or crash is applied only after the reply went out, so an RCON client still gets its answer.
/// </summary>
public sealed record CommandOutcome(string Reply, bool StopRequested = false, int? CrashExitCode = null)
{
    public static CommandOutcome Text(string reply) => new(reply);
}

/// <summary>The command set shared by stdin and RCON.</summary>
public sealed class CommandProcessor(ServerLog log, Func<IReadOnlyList<string>> onlinePlayers, Action? closeListener = null)
{
    private readonly MemoryHog memory = new();

    public const int MaxBigBytes = 16 * 1024 * 1024;
    public const int MaxSpamLines = 10_000_000;

    public const string HelpText = """
        help - show this list
        list - list the connected players
        say <text> - broadcast a message
        echo <text> - reply with the text
        big <bytes> - reply with exactly that many ASCII bytes
        spam <n> - print n console lines
        save-off / save-all [flush] / save-on - Minecraft's world-save switches (recorded in the log for backup tests)
        stop - stop the server
        crash [code] - exit at once with the code (default 1)
        close-listener - stop accepting game connections but keep running
        alloc <MB> - hold that much resident memory from now on (0 frees it)
        """;

    public const string UnknownCommand = "Unknown command. Type \"help\" for help.";

    public CommandOutcome Execute(string line, CommandSource source, CancellationToken cancellationToken)
    {
        // Minecraft accepts commands with or without a leading slash.
        var trimmed = line.Trim().TrimStart('/');
        if (trimmed.Length == 0)
        {
            return CommandOutcome.Text("");
        }

        var space = trimmed.IndexOf(' ');
        var name = (space < 0 ? trimmed : trimmed[..space]).ToLowerInvariant();
        var argument = space < 0 ? "" : trimmed[(space + 1)..];

        return name switch
        {
            "help" or "?" => CommandOutcome.Text(HelpText),
            "list" => List(),
            "say" => Say(argument, source),
            "echo" => CommandOutcome.Text(argument),
            "big" => Big(argument),
            "spam" => Spam(argument, source, cancellationToken),
            "save-off" => Save(name, argument, "Automatic saving is now disabled"),
            "save-all" => Save(name, argument, "Saved the game"),
            "save-on" => Save(name, argument, "Automatic saving is now enabled"),
            "stop" => new CommandOutcome("Stopping the server", StopRequested: true),
            "crash" => Crash(argument),
            "close-listener" => CloseListener(),
            "alloc" => Alloc(argument),
            _ => CommandOutcome.Text(UnknownCommand),
        };
    }

    private CommandOutcome CloseListener()
    {
        if (closeListener is null)
        {
            return CommandOutcome.Text("No game listener to close");
        }

        closeListener();
        log.Info("Game listener closed; still running");
        return CommandOutcome.Text("Game listener closed");
    }

    /// <summary>Replies as Minecraft does and records the command in the log, so a backup test can see the sequence.</summary>
    private CommandOutcome Save(string name, string argument, string reply)
    {
        log.Info($"[save] {(argument.Length == 0 ? name : name + " " + argument)}");
        return CommandOutcome.Text(reply);
    }

    private CommandOutcome List()
    {
        var players = onlinePlayers();
        return CommandOutcome.Text(
            $"There are {players.Count} of a max of {ServerOptions.MaxPlayers} players online: {string.Join(", ", players)}");
    }

    private CommandOutcome Say(string text, CommandSource source)
    {
        if (text.Length == 0)
        {
            return CommandOutcome.Text("Usage: say <text>");
        }

        var broadcast = $"[Server] {text}";

        // On the console the reply itself is the broadcast line; over RCON it must also reach the log.
        if (source == CommandSource.Rcon)
        {
            log.Info(broadcast);
        }

        return CommandOutcome.Text(broadcast);
    }

    private static CommandOutcome Big(string argument)
    {
        if (!TryCount(argument, MaxBigBytes, out var bytes))
        {
            return CommandOutcome.Text($"Usage: big <bytes> (0-{MaxBigBytes})");
        }

        // A repeating alphabet makes truncation or reordering visible when a test compares replies.
        const string pattern = "abcdefghijklmnopqrstuvwxyz0123456789";
        var reply = new StringBuilder(bytes);
        while (reply.Length < bytes)
        {
            reply.Append(pattern, 0, Math.Min(pattern.Length, bytes - reply.Length));
        }

        return CommandOutcome.Text(reply.ToString());
    }

    private CommandOutcome Spam(string argument, CommandSource source, CancellationToken cancellationToken)
    {
        if (!TryCount(argument, MaxSpamLines, out var count))
        {
            return CommandOutcome.Text($"Usage: spam <n> (0-{MaxSpamLines})");
        }

        for (var i = 1; i <= count && !cancellationToken.IsCancellationRequested; i++)
        {
            log.Info($"spam {i}/{count}");
        }

        // The lines themselves are the console output; an RCON client only needs a confirmation.
        return CommandOutcome.Text(source == CommandSource.Rcon ? $"Printed {count} lines" : "");
    }

    private CommandOutcome Crash(string argument)
    {
        var code = 1;
        if (argument.Length > 0 && !int.TryParse(argument, NumberStyles.Integer, CultureInfo.InvariantCulture, out code)
            || code is < 0 or > 255)
        {
            return CommandOutcome.Text("Usage: crash [code] (0-255, default 1)");
        }

        log.Error($"Simulated crash, exiting with code {code}");
        return new CommandOutcome($"Crashing with exit code {code}", CrashExitCode: code);
    }

    private CommandOutcome Alloc(string argument)
    {
        if (!TryCount(argument, MemoryHog.MaxMegabytes, out var megabytes))
        {
            return CommandOutcome.Text($"Usage: alloc <MB> (0-{MemoryHog.MaxMegabytes})");
        }

        memory.Hold(megabytes);
        return CommandOutcome.Text($"Holding {memory.HeldMegabytes} MB");
    }

    private static bool TryCount(string text, int max, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count <= max;
}
