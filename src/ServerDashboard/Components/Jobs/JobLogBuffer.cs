using ServerDashboard.Jobs;

namespace ServerDashboard.Components.Jobs;

/// <summary>The last lines of each running job's log for one page, fed by <see cref="JobRunner.Changed"/> (bounded).</summary>
public sealed class JobLogBuffer
{
    public const int MaxLines = 200;
    private readonly Dictionary<string, Queue<string>> lines = new(StringComparer.Ordinal);

    public void Seed(string name, IEnumerable<string> tail)
    {
        lock (lines)
        {
            if (!lines.ContainsKey(name))
            {
                lines[name] = new Queue<string>(tail.TakeLast(MaxLines));
            }
        }
    }

    public void Append(string name, IEnumerable<string> added)
    {
        lock (lines)
        {
            if (!lines.TryGetValue(name, out var queue))
            {
                lines[name] = queue = new Queue<string>();
            }

            foreach (var line in added)
            {
                queue.Enqueue(line);
                if (queue.Count > MaxLines)
                {
                    queue.Dequeue();
                }
            }
        }
    }

    public string Text(string name)
    {
        lock (lines)
        {
            return lines.TryGetValue(name, out var queue) ? string.Join('\n', queue) : "";
        }
    }

    public void Forget(string name)
    {
        lock (lines)
        {
            lines.Remove(name);
        }
    }
}
