using System.Text;
using System.Threading.Channels;

namespace SampleGameServer;

/// <summary>
/// Runs commands typed on stdin. End of input does not stop the server: the dashboard hands it a FIFO
/// that may have no writer, so we just stop reading.
/// </summary>
public sealed class ConsoleCommandReader(Stream stdin, CommandProcessor commands, ServerLifetime lifetime, ServerLog log)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // A blocking read(2) on stdin cannot be cancelled, so it gets its own background thread,
        // which simply dies with the process; the async side below honours the token.
        var pump = new Thread(() => Pump(lines.Writer)) { IsBackground = true, Name = "stdin reader" };
        pump.Start();

        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken))
            {
                var outcome = commands.Execute(line, CommandSource.Console, cancellationToken);
                foreach (var replyLine in SplitLines(outcome.Reply))
                {
                    log.Info(replyLine);
                }

                lifetime.Apply(outcome);
            }

            log.Info("Console input closed; still running (stop with SIGTERM or RCON)");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Pump(ChannelWriter<string> writer)
    {
        try
        {
            using var reader = new StreamReader(stdin, new UTF8Encoding(false));
            while (reader.ReadLine() is { } line)
            {
                writer.TryWrite(line);
            }
        }
        catch (IOException)
        {
            // An unreadable stdin is treated like end of input.
        }

        writer.TryComplete();
    }

    private static IEnumerable<string> SplitLines(string reply) =>
        reply.Length == 0 ? [] : reply.Split('\n');
}
