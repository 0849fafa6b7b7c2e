using Microsoft.Extensions.Logging;

namespace ServerDashboard.Processes;

/// <summary>
/// Linux-only: the stop-intent files of stop-alls (<see cref="StopIntentBatch"/>, <c>run/&lt;guid&gt;.stops</c>). A
/// stop-all records every stop in one durable file before it signals anything; a dashboard that dies mid-stop finds the
/// intents when it re-adopts the daemons (<see cref="Apply"/>) and carries the stops on, as with an intent in a PID file.
/// A file is removed once no process it names is alive: an entry applies only to the exact process it names, so a file
/// left behind by a crash can never stop anything else.
/// </summary>
public sealed class StopIntents(PidFileStore store, ProcFs procFs, ILogger<StopIntents> logger)
{
    private readonly Lock gate = new();
    // Files known to this run, by path: the entries not yet applied (adoption) and the daemons holding the file.
    private readonly Dictionary<string, BatchFile> files = new(StringComparer.Ordinal);
    private bool loaded;

    /// <summary>
    /// Writes the intents of <paramref name="stops"/> as one durable file (the caller signals only after this returns)
    /// and makes each daemon a holder of it. Throws if the file cannot be written.
    /// </summary>
    internal void Record(IReadOnlyList<(TrackedProcess Entry, PidFileRecord WithStop)> stops, DateTimeOffset requestedAt)
    {
        var batch = new StopIntentBatch
        {
            BootId = procFs.BootId,
            StopRequestedAt = requestedAt,
            Stops = stops.Select(s => new StopIntentEntry
            {
                ServerId = s.Entry.ServerId,
                Pid = s.Entry.Pid,
                ProcessStartTime = s.Entry.Identity.StartTime,
                StopSignal = s.WithStop.StopSignal!.Value,
                StopTimeoutSeconds = s.WithStop.StopTimeoutSeconds!.Value,
            }).ToList(),
        };
        string path = store.WriteStopIntents(batch);
        var file = new BatchFile(path, batch);
        lock (gate)
        {
            files[path] = file;
            foreach ((TrackedProcess entry, _) in stops)
            {
                Hold(file, entry);
            }
        }
    }

    /// <summary>
    /// Reads the run directory's stop-intent files once (start-up), dropping those of another boot. Later calls only
    /// return; files written by this run are known already.
    /// </summary>
    internal void LoadOnce()
    {
        lock (gate)
        {
            if (loaded)
            {
                return;
            }

            loaded = true;
            foreach ((string path, StopIntentBatch? batch, string reason) in store.ReadStopIntents())
            {
                if (files.ContainsKey(path))
                {
                    continue; // written by this run (a stop-all before the first load), its holders known
                }

                if (batch is null)
                {
                    // Like a refused PID file: left in place, not trusted.
                    logger.LogWarning("Stop-intent file {Path} {Reason}; ignored", path, Text.LogText.Escape(reason));
                }
                else if (batch.BootId != procFs.BootId)
                {
                    store.DeletePath(path);
                    logger.LogInformation("Removed stop-intent file {Path} of an earlier boot", path);
                }
                else
                {
                    files[path] = new BatchFile(path, batch);
                }
            }
        }
    }

    /// <summary>
    /// An adopted daemon whose PID file records no stop gets the stop a stop-intent file holds for exactly this process
    /// (boot id, pid, start time), and holds that file until it exits. Called for every adopted daemon, before it is
    /// tracked.
    /// </summary>
    internal void Apply(TrackedProcess entry)
    {
        lock (gate)
        {
            if (entry.Record.StopRequestedAt is not null || files.Count == 0)
            {
                return;
            }

            foreach (BatchFile file in files.Values.OrderBy(f => f.Batch.StopRequestedAt))
            {
                if (file.Batch.BootId != entry.Identity.BootId
                    || file.Batch.Stops.FirstOrDefault(s => s.ServerId == entry.ServerId && s.Pid == entry.Pid && s.ProcessStartTime == entry.Identity.StartTime) is not { } stop)
                {
                    continue;
                }

                entry.Record = entry.Record with
                {
                    StopRequestedAt = file.Batch.StopRequestedAt,
                    StopSignal = stop.StopSignal,
                    StopTimeoutSeconds = stop.StopTimeoutSeconds,
                };
                Hold(file, entry);
                logger.LogInformation("Server {ServerId} (pid {Pid}): a stop accepted at {At:O} is pending (stop-intent file {Path})",
                    entry.ServerId, entry.Pid, file.Batch.StopRequestedAt, file.Path);
                return;
            }
        }
    }

    /// <summary>The daemon exited (or was forgotten): a file none of whose processes lives any more is removed.</summary>
    internal void Released(TrackedProcess entry)
    {
        lock (gate)
        {
            if (entry.StopIntentFile is not BatchFile file || !file.Holders.Remove(entry))
            {
                return;
            }

            entry.StopIntentFile = null;
            if (file.Holders.Count == 0)
            {
                RemoveIfDone(file);
            }
        }
    }

    /// <summary>After a load: files held by no tracked daemon are removed once none of their processes is alive.</summary>
    internal void Sweep()
    {
        lock (gate)
        {
            foreach (BatchFile file in files.Values.Where(f => f.Holders.Count == 0).ToList())
            {
                RemoveIfDone(file);
            }
        }
    }

    private static void Hold(BatchFile file, TrackedProcess entry)
    {
        // One that exited already was released before it got here (exits are marked before Released is called).
        if (!entry.HasExited)
        {
            file.Holders.Add(entry);
            entry.StopIntentFile = file;
        }
    }

    private void RemoveIfDone(BatchFile file)
    {
        // A process not adopted (its PID file refused, say) may still be adopted later and must find its stop then.
        if (file.Batch.Stops.Any(s => procFs.IsAlive(new ProcessIdentity(file.Batch.BootId, s.Pid, s.ProcessStartTime))))
        {
            return;
        }

        files.Remove(file.Path);
        store.DeletePath(file.Path);
    }

    internal sealed class BatchFile(string path, StopIntentBatch batch)
    {
        public string Path { get; } = path;

        public StopIntentBatch Batch { get; } = batch;

        public HashSet<TrackedProcess> Holders { get; } = new(ReferenceEqualityComparer.Instance);
    }
}
