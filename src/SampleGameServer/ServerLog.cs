using System.Text;

namespace SampleGameServer;

/// <summary>
/// Writes Minecraft-style console lines (<c>[HH:mm:ss INFO]: message</c>).
/// stdout is normally a file or a FIFO read by the dashboard, not a terminal, so every line is
/// flushed at once; a lock keeps lines from RCON, stdin and timers from interleaving.
/// </summary>
public sealed class ServerLog
{
    private readonly StreamWriter _writer;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();

    public ServerLog(Stream stdout, TimeProvider clock)
    {
        _writer = new StreamWriter(stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024)
        {
            AutoFlush = true,
            NewLine = "\n",
        };
        _clock = clock;
    }

    public void Info(string message) => Write("INFO", message);

    public void Warn(string message) => Write("WARN", message);

    public void Error(string message) => Write("ERROR", message);

    private void Write(string level, string message)
    {
        var line = $"[{_clock.GetLocalNow():HH:mm:ss} {level}]: {message}\n";
        lock (_gate)
        {
            try
            {
                _writer.Write(line);
            }
            catch (IOException)
            {
                // The reader of stdout went away (closed pipe): keep serving; there is nobody to tell.
            }
        }
    }
}
