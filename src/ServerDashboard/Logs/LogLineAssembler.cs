using System.Text;

namespace ServerDashboard.Logs;

/// <summary>
/// Turns appended bytes into complete lines: keeps a partial line until its '\n' arrives, caps a line at
/// <see cref="MaxLineBytes"/> (the rest is counted, not kept, and shown as a marker), decodes UTF-8 leniently
/// (invalid bytes become U+FFFD, never an exception) and leaves ANSI escape sequences as they are.
/// </summary>
public sealed class LogLineAssembler(int maxLineBytes = LogLineAssembler.MaxLineBytes)
{
    public const int MaxLineBytes = 16 * 1024;

    // Lenient: invalid sequences decode to the replacement character instead of throwing.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    // Grows (doubling) to maxLineBytes only when a line is that long: most console lines are short, and a fixed 16 KB
    // per followed file added 1.6 MB for 100 servers.
    private byte[] partial = new byte[Math.Min(256, maxLineBytes)];
    private int partialLength;
    private long truncatedBytes;

    public bool HasPartialLine => partialLength > 0 || truncatedBytes > 0;

    /// <summary>Adds <paramref name="data"/>; every line it completes goes to <paramref name="lines"/>.</summary>
    public void Append(ReadOnlySpan<byte> data, List<string> lines)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            Keep(newline < 0 ? data : data[..newline]);
            if (newline < 0)
            {
                return;
            }

            lines.Add(Complete());
            data = data[(newline + 1)..];
        }
    }

    /// <summary>The partial line as a line of its own (its file was rotated away: the rest will never come), or null.</summary>
    public string? Flush() => HasPartialLine ? Complete() : null;

    public static string TruncationMarker(long bytes) => $" … [truncated {bytes} bytes]";

    private void Keep(ReadOnlySpan<byte> chunk)
    {
        var take = Math.Min(maxLineBytes - partialLength, chunk.Length);
        if (partialLength + take > partial.Length)
        {
            var grown = new byte[Math.Min(maxLineBytes, Math.Max(partialLength + take, partial.Length * 2))];
            partial.AsSpan(0, partialLength).CopyTo(grown);
            partial = grown;
        }

        chunk[..take].CopyTo(partial.AsSpan(partialLength));
        partialLength += take;
        truncatedBytes += chunk.Length - take;
    }

    private string Complete()
    {
        var length = partialLength;
        var truncated = truncatedBytes;
        if (truncated == 0 && length > 0 && partial[length - 1] == '\r')
        {
            length--; // CRLF output: the '\r' is part of the terminator, not of the text
        }

        if (truncated > 0)
        {
            // Cut before a multi-byte character the cap split, so the kept text does not end in U+FFFD.
            var cut = LastCompleteCharacterEnd(partial.AsSpan(0, length));
            truncated += length - cut;
            length = cut;
        }

        var text = Utf8.GetString(partial, 0, length);
        partialLength = 0;
        truncatedBytes = 0;
        return truncated > 0 ? text + TruncationMarker(truncated) : text;
    }

    private static int LastCompleteCharacterEnd(ReadOnlySpan<byte> bytes)
    {
        var start = bytes.Length - 1;
        while (start > 0 && bytes.Length - start < 4 && (bytes[start] & 0xC0) == 0x80)
        {
            start--; // back over continuation bytes to the lead byte
        }

        if (start < 0)
        {
            return 0;
        }

        var lead = bytes[start];
        var needed = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start + needed <= bytes.Length ? bytes.Length : start;
    }
}
