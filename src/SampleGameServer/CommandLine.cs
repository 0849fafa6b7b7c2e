using System.Globalization;
using System.Net;

namespace SampleGameServer;

/// <summary>What the command line asked for: run, show help, or a usage error.</summary>
public abstract record ParsedCommandLine
{
    public sealed record Run(ServerOptions Options) : ParsedCommandLine;

    public sealed record ShowHelp : ParsedCommandLine;

    public sealed record Invalid(string Error) : ParsedCommandLine;
}

/// <summary>
/// Hand-written parser: the server must stay dependency-free (it is copied next to test binaries),
/// and its flag set is small. Accepts both <c>--flag value</c> and <c>--flag=value</c>.
/// </summary>
public static class CommandLine
{
    public const string RconPasswordVariable = "RCON_PASSWORD";

    public const string Usage = """
        Usage: SampleGameServer --port P [options]

        A stand-in for a game server (Minecraft-like console output, TCP port, Source RCON).

        Options:
          --port P                 game TCP port to listen on (required; 0 = any free port)
          --name N                 server name shown at startup (default "Sample Server")
          --host ADDR              address to bind the game port to (default 127.0.0.1)
          --ready-delay-ms M       delay before the "Done" line and before ports accept (default 500)
          --heartbeat-ms M         interval of heartbeat lines, 0 = off (default 5000)
          --ignore-sigterm         log and ignore SIGTERM/SIGINT instead of stopping
          --spawn-child            start a long-running grandchild process and print its pid
          --rcon-port P            enable a Source RCON server on 127.0.0.1:P
          --rcon-password X        RCON password (or env RCON_PASSWORD; the flag wins)
          --rcon-style S           minecraft (default) or source
          --help                   show this help

        Exit codes: 0 stopped gracefully, 1 startup error (e.g. port in use), 2 usage error,
        any other: the code given to the "crash" console command.
        """;

    public static ParsedCommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        int? port = null, rconPort = null;
        string name = "Sample Server";
        string? rconPassword = null;
        IPAddress host = IPAddress.Loopback;
        var readyDelay = TimeSpan.FromMilliseconds(500);
        var heartbeat = TimeSpan.FromMilliseconds(5000);
        bool ignoreSigterm = false, spawnChild = false;
        RconStyle? rconStyle = null;

        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inlineValue) = SplitFlag(args[i]);

            // Reads the flag's value from "--flag=value" or from the next argument.
            string? Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                return i + 1 < args.Count ? args[++i] : null;
            }

            string? error = null;
            switch (flag)
            {
                case "--help" or "-h":
                    return new ParsedCommandLine.ShowHelp();
                case "--port":
                    error = TryPort(flag, Value(), out var p);
                    port = p;
                    break;
                case "--rcon-port":
                    error = TryPort(flag, Value(), out var rp);
                    rconPort = rp;
                    break;
                case "--name":
                    name = Value() ?? "";
                    error = name.Length == 0 ? "--name needs a non-empty value" : null;
                    break;
                case "--host":
                    error = TryHost(Value(), out host);
                    break;
                case "--ready-delay-ms":
                    error = TryMilliseconds(flag, Value(), out readyDelay);
                    break;
                case "--heartbeat-ms":
                    error = TryMilliseconds(flag, Value(), out heartbeat);
                    break;
                case "--ignore-sigterm":
                    ignoreSigterm = true;
                    break;
                case "--spawn-child":
                    spawnChild = true;
                    break;
                case "--rcon-password":
                    rconPassword = Value();
                    error = string.IsNullOrEmpty(rconPassword) ? "--rcon-password needs a non-empty value" : null;
                    break;
                case "--rcon-style":
                    error = TryRconStyle(Value(), out var style);
                    rconStyle = style;
                    break;
                default:
                    error = $"unknown argument '{args[i]}'";
                    break;
            }

            if (error is not null)
            {
                return new ParsedCommandLine.Invalid(error);
            }

            if (inlineValue is not null && flag is "--ignore-sigterm" or "--spawn-child")
            {
                return new ParsedCommandLine.Invalid($"{flag} takes no value");
            }
        }

        if (port is null)
        {
            return new ParsedCommandLine.Invalid("--port is required");
        }

        RconOptions? rcon = null;
        if (rconPort is { } rconPortValue)
        {
            var password = rconPassword ?? environment(RconPasswordVariable);
            if (string.IsNullOrEmpty(password))
            {
                // Minecraft also refuses to start RCON without a password.
                return new ParsedCommandLine.Invalid($"--rcon-port needs --rcon-password or the {RconPasswordVariable} environment variable");
            }

            if (rconPortValue != 0 && rconPortValue == port)
            {
                return new ParsedCommandLine.Invalid("--rcon-port must differ from --port");
            }

            rcon = new RconOptions(rconPortValue, password, rconStyle ?? RconStyle.Minecraft);
        }
        else if (rconPassword is not null || rconStyle is not null)
        {
            return new ParsedCommandLine.Invalid("--rcon-password and --rcon-style need --rcon-port");
        }

        return new ParsedCommandLine.Run(new ServerOptions(
            port.Value, name, host, readyDelay, heartbeat, ignoreSigterm, spawnChild, rcon));
    }

    private static (string Flag, string? InlineValue) SplitFlag(string arg)
    {
        var equals = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 2
            ? (arg[..equals], arg[(equals + 1)..])
            : (arg, null);
    }

    private static string? TryPort(string flag, string? text, out int port)
    {
        port = 0;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return $"{flag} needs a port number 0-65535, got '{text}'";
        }

        return null;
    }

    private static string? TryMilliseconds(string flag, string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return $"{flag} needs a non-negative number of milliseconds, got '{text}'";
        }

        value = TimeSpan.FromMilliseconds(ms);
        return null;
    }

    private static string? TryHost(string? text, out IPAddress host)
    {
        host = IPAddress.Loopback;
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var parsed))
        {
            host = parsed;
            return null;
        }

        return $"--host needs an IP address or 'localhost', got '{text}'";
    }

    private static string? TryRconStyle(string? text, out RconStyle? style)
    {
        style = text?.ToLowerInvariant() switch
        {
            "minecraft" => RconStyle.Minecraft,
            "source" => RconStyle.Source,
            _ => null,
        };
        return style is null ? $"--rcon-style must be 'minecraft' or 'source', got '{text}'" : null;
    }
}
