using System.Globalization;
using System.Text.Json.Nodes;
using ServerDashboard.Data;
using ServerDashboard.Jobs;
using ServerDashboard.Ports;
using ServerDashboard.Servers;

namespace ServerDashboard.Notifications;

/// <summary>Turns what the dashboard's parts report into <see cref="NotificationEvent"/>s (payloads in docs/webhooks.md).</summary>
public static class NotificationEventFactory
{
    public static NotificationEvent StateChanged(ServerState? from, ServerStatus status)
    {
        var data = new JsonObject
        {
            ["from"] = from?.ToString(),
            ["to"] = status.State.ToString(),
            ["message"] = status.Message,
            ["pid"] = status.Pid,
        };
        var fields = new List<(string, string)> { ("State", $"{from?.ToString() ?? "?"} → {status.State}") };
        if (status.State is ServerState.Stopped or ServerState.Crashed or ServerState.Error or ServerState.Backoff && status.LastExit is { } exit)
        {
            data["exit"] = new JsonObject
            {
                ["kind"] = exit.Kind,
                ["code"] = exit.Code,
                ["signal"] = exit.Signal,
                ["requested"] = exit.Requested,
                ["description"] = exit.Description,
            };
            fields.Add(("Exit", exit.Description));
        }

        if (status.State == ServerState.Backoff)
        {
            data["nextAttemptAt"] = status.NextAttemptAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            data["attempt"] = status.Attempt;
        }

        var tone = status.State switch
        {
            ServerState.Running => EventTone.Good,
            ServerState.Crashed or ServerState.Error => EventTone.Bad,
            ServerState.Backoff => EventTone.Warning,
            _ => EventTone.Info,
        };
        string summary = status.Message is { Length: > 0 } m ? $"{from?.ToString() ?? "?"} → {status.State}: {m}" : $"{from?.ToString() ?? "?"} → {status.State}";
        return new NotificationEvent(WebhookEvents.ServerState, status.ServerId, status.ChangedAt, $"Server is {status.State}", summary, tone, data, fields);
    }

    public static NotificationEvent Crashed(CrashRecord crash)
    {
        var data = new JsonObject
        {
            ["crashId"] = crash.Id,
            ["classification"] = crash.Classification.ToString(),
            ["description"] = crash.Description,
            ["exitCode"] = crash.ExitCode,
            ["signal"] = crash.Signal,
            ["uptimeSeconds"] = crash.UptimeSeconds,
            ["lastLines"] = new JsonArray(crash.LastLines.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        };
        var fields = new List<(string, string)> { ("Classification", crash.Classification.ToString()) };
        if (crash.ExitCode is { } code)
        {
            fields.Add(("Exit code", code.ToString(CultureInfo.InvariantCulture)));
        }

        if (crash.Signal is { } signal)
        {
            fields.Add(("Signal", signal.ToString(CultureInfo.InvariantCulture)));
        }

        if (crash.UptimeSeconds is { } up)
        {
            fields.Add(("Uptime", TimeSpan.FromSeconds(Math.Round(up)).ToString("c", CultureInfo.InvariantCulture)));
        }

        return new NotificationEvent(WebhookEvents.ServerCrash, crash.ServerId, crash.At, "Server crashed", crash.Description, EventTone.Bad, data, fields,
            crash.LastLines.Count == 0 ? null : string.Join('\n', crash.LastLines));
    }

    public static NotificationEvent HealthChanged(int serverId, ServerHealth health)
    {
        var data = new JsonObject
        {
            ["healthy"] = health.Healthy,
            ["reason"] = health.Reason,
            ["since"] = health.Since.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        };
        return health.Healthy
            ? new NotificationEvent(WebhookEvents.ServerHealth, serverId, health.Since, "Server is healthy again", "Its health checks pass again.", EventTone.Good, data, [("Health", "healthy")])
            : new NotificationEvent(WebhookEvents.ServerHealth, serverId, health.Since, "Server is unhealthy", health.Reason ?? "Its health checks fail.", EventTone.Warning, data,
                [("Health", "unhealthy"), ("Reason", health.Reason ?? "-")]);
    }

    public static NotificationEvent JobFinished(JobStatusRecord job)
    {
        var (data, fields) = JobData(job);
        var tone = job.Status switch
        {
            JobStates.Succeeded => EventTone.Good,
            JobStates.Cancelled => EventTone.Warning,
            _ => EventTone.Bad,
        };
        string summary = $"Job {job.Name} {job.Status}" + (job.Ended is { Length: > 0 } how ? $": {how}" : "");
        return new NotificationEvent(WebhookEvents.JobFinished, job.ServerId, EndOf(job), $"Job {job.Status}", summary, tone, data, fields, TailOf(job));
    }

    /// <summary><c>status</c> is <c>done</c> for a backup that succeeded, else <c>failed</c> (<c>jobStatus</c> says how).</summary>
    public static NotificationEvent BackupFinished(JobStatusRecord job, BackupInfo? newest)
    {
        var (data, fields) = JobData(job);
        bool done = job.Status == JobStates.Succeeded;
        data["jobStatus"] = job.Status;
        data["status"] = done ? "done" : "failed";
        if (done && newest is not null)
        {
            data["backup"] = new JsonObject { ["fileName"] = newest.FileName, ["sizeBytes"] = newest.SizeBytes };
            fields.Add(("File", newest.FileName));
            fields.Add(("Size", $"{newest.SizeBytes / 1024.0 / 1024.0:0.0} MiB"));
        }

        string summary = done ? $"Backup done{(newest is null ? "" : ": " + newest.FileName)}" : $"Backup failed ({job.Status}{(job.Ended is { Length: > 0 } how ? ": " + how : "")})";
        return new NotificationEvent(WebhookEvents.BackupFinished, job.ServerId, EndOf(job), done ? "Backup done" : "Backup failed", summary,
            done ? EventTone.Good : EventTone.Bad, data, fields, done ? null : TailOf(job));
    }

    public static NotificationEvent PortConflict(PortFinding finding, DateTimeOffset at)
    {
        var port = finding.Port;
        string holders = port.OwnerVisible && port.Owners.Count > 0 ? string.Join(", ", port.Owners.Select(o => o.Describe())) : PortInspector.NotVisible;
        var data = new JsonObject
        {
            ["name"] = port.Name,
            ["port"] = port.Port,
            ["protocol"] = port.Protocol,
            ["holders"] = holders,
            ["leftover"] = finding.Leftover,
            ["freed"] = finding.Freed,
            ["message"] = finding.Message,
        };
        string what = $"{port.Name} {port.Port}/{port.Protocol}";
        return new NotificationEvent(WebhookEvents.PortConflict, port.ServerId, at, finding.Freed ? "Port conflict (freed)" : "Port conflict at start-up",
            $"{what}: {finding.Message}", finding.Freed ? EventTone.Warning : EventTone.Bad, data,
            [("Port", what), ("Held by", holders), ("Freed", finding.Freed ? "yes" : "no")]);
    }

    private static (JsonObject, List<(string, string)>) JobData(JobStatusRecord job)
    {
        var start = JobStatusRecord.FromUnix(job.StartTime);
        var end = EndOf(job);
        var data = new JsonObject
        {
            ["name"] = job.Name,
            ["type"] = job.Type,
            ["status"] = job.Status,
            ["exitCode"] = job.ExitCode,
            ["ended"] = job.Ended,
            ["startedBy"] = job.StartedBy,
            ["cancelledBy"] = job.CancelledBy,
            ["startedAt"] = start.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["durationSeconds"] = Math.Round(Math.Max(0, (end - start).TotalSeconds), 3),
        };
        var fields = new List<(string, string)> { ("Job", job.Name), ("Status", job.Status) };
        if (job.ExitCode is { } code)
        {
            fields.Add(("Exit code", code.ToString(CultureInfo.InvariantCulture)));
        }

        if (job.CancelledBy is { Length: > 0 } by)
        {
            fields.Add(("Cancelled by", by));
        }

        return (data, fields);
    }

    private static DateTimeOffset EndOf(JobStatusRecord job) => JobStatusRecord.FromUnix(job.EndTime ?? job.LastUpdate);

    private static string? TailOf(JobStatusRecord job) => job.LogTail is { Count: > 0 } tail ? string.Join('\n', tail.TakeLast(20)) : null;
}
