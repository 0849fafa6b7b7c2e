using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// The last <see cref="Capacity"/> commands each user sent to each server, newest last, for ↑/↓ in the console input.
/// In memory only: it is a convenience, not a record (the audit log is the record), and it survives page reloads and
/// new circuits but not a dashboard restart.
/// </summary>
public sealed class CommandHistory
{
    public const int Capacity = 50;

    private readonly ConcurrentDictionary<(string User, int ServerId), List<string>> entries = new();

    public IReadOnlyList<string> Get(string user, int serverId)
    {
        if (!entries.TryGetValue((user, serverId), out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }

    /// <summary>Appends <paramref name="command"/>; repeating the previous command does not add a duplicate.</summary>
    public void Add(string user, int serverId, string command)
    {
        var list = entries.GetOrAdd((user, serverId), _ => []);
        lock (list)
        {
            if (list.Count > 0 && list[^1] == command)
            {
                return;
            }

            list.Add(command);
            if (list.Count > Capacity)
            {
                list.RemoveRange(0, list.Count - Capacity);
            }
        }
    }
}
