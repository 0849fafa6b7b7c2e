using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ServerDashboard.Data;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>
/// Decides when a starting server is ready: its ready pattern appears in the console log (read from where the log ended
/// at launch), else its game port accepts a connection, else it has stayed alive for a short grace period.
/// </summary>
public sealed class ReadinessProbe(TimeProvider time, ILogger<ReadinessProbe> logger)
{
    /// <summary>The longest unterminated line kept while looking for the ready pattern (1 MiB of text).</summary>
    public const int MaxPendingChars = 1024 * 1024;

    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>No pattern, no port: launched (the exec has settled) means running.</summary>
    public static readonly TimeSpan AliveGrace = TimeSpan.Zero;

    /// <returns>A description of what made it ready.</returns>
    public async Task<string> WaitAsync(ServerDefinition server, string consoleLog, long logOffset, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(server.ReadyPattern))
        {
            var pattern = new Regex(server.ReadyPattern, RegexOptions.None, TimeSpan.FromMilliseconds(200));
            await WaitForLineAsync(consoleLog, logOffset, pattern, cancellationToken);
            return "ready pattern seen";
        }

        if (server.Port is { } port)
        {
            await WaitForPortAsync(port, cancellationToken);
            return $"port {port} accepts connections";
        }

        await Task.Delay(AliveGrace, time, cancellationToken);
        return "alive";
    }

    private async Task WaitForLineAsync(string path, long offset, Regex pattern, CancellationToken cancellationToken)
    {
        var pending = new StringBuilder();
        var buffer = new byte[64 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var refusalLogged = false;
        while (true)
        {
            if (TryOpen(path, ref refusalLogged) is { } stream)
            {
                await using var _ = stream;
                if (stream.Length < offset)
                {
                    offset = 0; // truncated under us: read it again from the start
                }

                stream.Seek(offset, SeekOrigin.Begin);
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    offset += read;
                    var count = decoder.GetChars(buffer, 0, read, chars, 0);
                    pending.Append(chars, 0, count);
                    if (ContainsMatchingLine(pending, pattern))
                    {
                        return;
                    }

                    if (pending.Length > MaxPendingChars)
                    {
                        // Output without newlines must not grow this without bound: a line this long is not a ready line.
                        pending.Clear();
                    }
                }
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>console.log without following links (the game may have replaced it with one); null while it does not exist.</summary>
    private FileStream? TryOpen(string path, ref bool refusalLogged)
    {
        try
        {
            return SafeFileOpener.OpenRead(Path.GetDirectoryName(path)!, path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (UnsafeFileException ex)
        {
            if (!refusalLogged)
            {
                refusalLogged = true;
                logger.LogWarning("Readiness probe: {Error}; waiting for a regular console.log", ex.Message);
            }

            return null;
        }
    }

    /// <summary>Matches complete lines and keeps the incomplete tail for the next read.</summary>
    private static bool ContainsMatchingLine(StringBuilder pending, Regex pattern)
    {
        var text = pending.ToString();
        var lastNewline = text.LastIndexOf('\n');
        if (lastNewline < 0)
        {
            return false;
        }

        pending.Remove(0, lastNewline + 1);
        return text[..lastNewline].Split('\n').Any(line => SafeIsMatch(pattern, line));
    }

    private static bool SafeIsMatch(Regex pattern, string line)
    {
        try
        {
            return pattern.IsMatch(line);
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // a pathological line must not wedge the probe
        }
    }

    private async Task WaitForPortAsync(int port, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port, attempt.Token);
                return;
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                await Task.Delay(PollInterval * 2, time, cancellationToken);
            }
        }
    }
}
