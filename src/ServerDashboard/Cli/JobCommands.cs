using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Audit;
using ServerDashboard.Hosting;
using ServerDashboard.Jobs;
using ServerDashboard.Processes;

namespace ServerDashboard.Cli;

/// <summary>
/// <c>jobs start|status|cancel|list</c> and the seed's names as top-level aliases (<c>process-status</c>,
/// <c>cancel-process</c>, <c>list-processes</c>). They act on the PID directory's files directly when no dashboard runs on
/// the data directory; when one does, they leave its files to it (status and list only read; cancel asks it through a
/// <c>&lt;name&gt;.cancel</c> request file and waits; a started job is adopted by it). Exit codes: 0 ok, 1 no such job,
/// 2 invalid input, 3 not running, 5 a job of that name already runs.
/// </summary>
public static class JobCommands
{
    public const int NotFoundExitCode = 1;
    public const int InvalidExitCode = 2;
    public const int NotRunningExitCode = 3;
    public const int ConflictExitCode = 5;

    public static IEnumerable<Command> Create(Option<string?> dataDir)
    {
        var jobs = new Command("jobs", "Background jobs: start, status, cancel, list (docs/jobs.md)")
        {
            Start(dataDir),
            Status("status", dataDir),
            Cancel("cancel", dataDir),
            List("list", dataDir),
        };
        yield return jobs;
        yield return Status("process-status", dataDir);
        yield return Cancel("cancel-process", dataDir);
        yield return List("list-processes", dataDir);
    }

    private static Option<string?> PidDir() => new("--pid-dir") { Description = "The job PID directory (default Dashboard:Jobs:PidDirectory, else <data-dir>/jobs)" };

    private static Command Start(Option<string?> dataDir)
    {
        var pidDir = PidDir();
        var name = new Argument<string>("NAME") { Description = "The job's name (unique among running jobs)" };
        var type = new Option<string?>("--type") { Description = "A job type defined in the dashboard" };
        var cwd = new Option<string?>("--cwd") { Description = "Working directory of an ad-hoc command (default: the current directory)" };
        var argv = new Argument<string[]>("ARGV") { Description = "After --: the program and its arguments (ad-hoc)", Arity = ArgumentArity.ZeroOrMore };
        var start = new Command("start", "Start a job: jobs start NAME (--type T | -- ARGV...)") { pidDir, type, cwd, name, argv };
        start.SetAction(async (result, cancellationToken) =>
        {
            var command = result.GetValue(argv) ?? [];
            if ((result.GetValue(type) is null) == (command.Length == 0))
            {
                await Console.Error.WriteLineAsync("Give either --type T or -- ARGV... (not both).");
                return InvalidExitCode;
            }

            await using var services = await ServicesAsync(result, dataDir, pidDir, cancellationToken);
            var service = services.GetRequiredService<JobService>();
            try
            {
                var record = result.GetValue(type) is { } t
                    ? await service.StartTypeAsync(result.GetValue(name)!, t, AuditActor.Cli, cancellationToken)
                    : await service.StartAdhocAsync(result.GetValue(name)!, command, result.GetValue(cwd) ?? Environment.CurrentDirectory, AuditActor.Cli, cancellationToken);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Started job {record.Name} (pid {record.Pid}); log: {service.Runner.Files.LogPath(record.Name)}"));
                return 0;
            }
            catch (JobInputException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return InvalidExitCode;
            }
            catch (JobConflictException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ConflictExitCode;
            }
        });
        return start;
    }

    private static Command Status(string commandName, Option<string?> dataDir)
    {
        var pidDir = PidDir();
        var name = new Argument<string>("NAME");
        var showLog = new Option<bool>("--show-log") { Description = "Also print the end of the job's log" };
        var logLines = new Option<int>("--log-lines") { Description = "How many log lines --show-log prints", DefaultValueFactory = _ => 20 };
        var status = new Command(commandName, "Show a job's pid, status, runtime, progress, current task (and recent log)") { pidDir, showLog, logLines, name };
        status.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await ServicesAsync(result, dataDir, pidDir, cancellationToken);
            var runner = services.GetRequiredService<JobRunner>();
            var jobName = result.GetValue(name)!;
            if (!JobFiles.IsValidName(jobName))
            {
                await Console.Error.WriteLineAsync($"Invalid job name '{jobName}': {JobFiles.NameRule}.");
                return InvalidExitCode;
            }

            if (!DashboardRuns(result, dataDir))
            {
                await runner.RefreshAsync(jobName, cancellationToken);
            }

            var read = runner.Files.ReadStatus(jobName);
            if (read.Record is null && File.Exists(runner.Files.StatusPath(jobName)))
            {
                await Console.Error.WriteLineAsync($"Job {jobName}: status file unreadable ({read.Problem}).");
                return InvalidExitCode;
            }

            var record = runner.Find(jobName);
            if (record is null)
            {
                await Console.Error.WriteLineAsync($"No job named '{jobName}' in {runner.Files.Directory}.");
                return NotFoundExitCode;
            }

            var time = services.GetRequiredService<TimeProvider>();
            Print(record, time.GetUtcNow());
            if (result.GetValue(showLog))
            {
                int count = Math.Max(0, result.GetValue(logLines));
                Console.Out.WriteLine($"Recent log (last {count} lines):");
                foreach (var line in runner.LogTail(jobName, count))
                {
                    Console.Out.WriteLine(line);
                }
            }

            return record.Status == JobStates.Running ? 0 : NotRunningExitCode;
        });
        return status;
    }

    private static Command Cancel(string commandName, Option<string?> dataDir)
    {
        var pidDir = PidDir();
        var name = new Argument<string>("NAME");
        var timeout = new Option<int?>("--timeout") { Description = "Seconds between SIGTERM and SIGKILL (default Dashboard:Jobs:DefaultCancelTimeoutSeconds, 30)" };
        var cancel = new Command(commandName, "Cancel a job: SIGTERM to its process group, SIGKILL after the timeout") { pidDir, timeout, name };
        cancel.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await ServicesAsync(result, dataDir, pidDir, cancellationToken);
            var service = services.GetRequiredService<JobService>();
            var jobName = result.GetValue(name)!;
            var wait = result.GetValue(timeout) is { } s ? TimeSpan.FromSeconds(Math.Max(0, s)) : (TimeSpan?)null;
            try
            {
                JobStatusRecord final;
                if (DashboardRuns(result, dataDir))
                {
                    final = await CancelThroughDashboardAsync(service.Runner, jobName, wait, services.GetRequiredService<TimeProvider>(), cancellationToken);
                }
                else
                {
                    final = await service.CancelAsync(jobName, wait, AuditActor.Cli, cancellationToken);
                }

                Console.Out.WriteLine($"Job {jobName} {final.Status}: {final.Ended}");
                return 0;
            }
            catch (JobNotFoundException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return NotFoundExitCode;
            }
            catch (JobConflictException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return NotRunningExitCode;
            }
        });
        return cancel;
    }

    private static Command List(string commandName, Option<string?> dataDir)
    {
        var pidDir = PidDir();
        var all = new Option<bool>("--all") { Description = "Also list recent finished runs" };
        var list = new Command(commandName, "List jobs in the PID directory (malformed status files are reported)") { pidDir, all };
        list.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await ServicesAsync(result, dataDir, pidDir, cancellationToken);
            var runner = services.GetRequiredService<JobRunner>();
            if (!DashboardRuns(result, dataDir))
            {
                foreach (var jobName in runner.Files.ListNames())
                {
                    await runner.RefreshAsync(jobName, cancellationToken);
                }
            }

            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var current = runner.ListCurrent();
            if (current.Count == 0)
            {
                Console.Out.WriteLine($"No running jobs in {runner.Files.Directory}.");
            }

            foreach (var entry in current)
            {
                Console.Out.WriteLine(entry.Record is { } r
                    ? string.Create(CultureInfo.InvariantCulture, $"{r.Name,-24} {r.Status,-10} pid {r.Pid,-8} {Runtime(r, now),10} {Progress(r),7}  {r.CurrentTask}")
                    : $"{entry.Name,-24} UNREADABLE  {entry.Problem}");
            }

            if (result.GetValue(all))
            {
                foreach (var r in runner.ListHistory(20))
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-24} {r.Status,-10} exit {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",-4} {Runtime(r, now),10}  {r.Ended}"));
                }
            }

            return 0;
        });
        return list;
    }

    /// <summary>Asks the running dashboard to cancel (it owns the files) and waits for the run to be archived.</summary>
    private static async Task<JobStatusRecord> CancelThroughDashboardAsync(JobRunner runner, string name, TimeSpan? wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var record = runner.Files.ReadStatus(name).Record;
        if (record is null)
        {
            throw runner.Find(name) is { } finished ? new JobConflictException($"job '{name}' is not running (status {finished.Status})") : new JobNotFoundException(name);
        }

        runner.Files.WriteCancelRequest(name, new JobCancelRequest { TimeoutSeconds = (int)(wait?.TotalSeconds ?? 0), RequestedBy = AuditActor.Cli.Name });
        var deadline = time.GetUtcNow() + (wait ?? TimeSpan.FromSeconds(30)) + TimeSpan.FromSeconds(30);
        while (File.Exists(runner.Files.StatusPath(name)))
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new IOException($"the dashboard did not finish cancelling job '{name}' in time");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }

        return runner.Find(name) ?? throw new JobNotFoundException(name);
    }

    private static void Print(JobStatusRecord r, DateTimeOffset now)
    {
        var o = Console.Out;
        o.WriteLine($"Job: {r.Name}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PID: {r.Pid}"));
        o.WriteLine($"Status: {r.Status}");
        o.WriteLine($"Runtime: {Runtime(r, now)}");
        o.WriteLine($"Progress: {Progress(r)}");
        o.WriteLine($"Current task: {r.CurrentTask ?? "-"}");
        o.WriteLine($"Command: {string.Join(' ', r.Command)}");
        if (r.StartedBy is { } by)
        {
            o.WriteLine($"Started by: {by}");
        }

        if (JobStates.IsFinal(r.Status))
        {
            o.WriteLine($"Exit code: {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");
            o.WriteLine($"Ended: {r.Ended}");
        }
    }

    private static string Runtime(JobStatusRecord r, DateTimeOffset now)
    {
        var end = r.EndTime is { } e ? JobStatusRecord.FromUnix(e) : now;
        var span = end - JobStatusRecord.FromUnix(r.StartTime);
        return span < TimeSpan.Zero ? "0:00:00" : $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}";
    }

    private static string Progress(JobStatusRecord r) => r.Progress is { } p ? p.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-";

    private static bool DashboardRuns(ParseResult result, Option<string?> dataDir) =>
        new DashboardInstanceControl(new LockFileReader(), new ProcFs()).Inspect(DataDirectoryOf(result.GetValue(dataDir))).IsHeld;

    private static Task<ServiceProvider> ServicesAsync(ParseResult result, Option<string?> dataDir, Option<string?> pidDir, CancellationToken cancellationToken) =>
        DashboardHost.BuildOfflineServicesAsync(result.GetValue(dataDir), cancellationToken,
            result.GetValue(pidDir) is { } dir ? new Dictionary<string, string?> { [JobOptions.SectionName + ":PidDirectory"] = Path.GetFullPath(dir) } : null);

    /// <summary>--data-dir, else Dashboard__DataDirectory from the environment, else ./data (as the other commands).</summary>
    private static string DataDirectoryOf(string? option) =>
        Path.GetFullPath(option ?? Environment.GetEnvironmentVariable("Dashboard__DataDirectory") ?? new DashboardOptions().DataDirectory);
}
