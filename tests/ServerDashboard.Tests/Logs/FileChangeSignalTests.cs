using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerDashboard.Logs;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Logs;

/// <summary>
/// The tailer's wake-up: a change (inotify, or <see cref="FileChangeSignal.Notify"/>) or the poll interval, whichever
/// comes first; never a change slept through. The signal is reused from wait to wait, so these run many cycles.
/// </summary>
public sealed class FileChangeSignalTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly TempDirectory temp = new("sd-signal");
    private readonly FakeTimeProvider time = new();
    private readonly FileChangeSignal signal;

    public FileChangeSignalTests() => signal = new FileChangeSignal(temp.Combine("console.log"), NullLogger.Instance);

    [Fact]
    public async Task A_change_ends_the_wait_with_true_and_the_interval_with_false_again_and_again()
    {
        for (var i = 0; i < 200; i++)
        {
            var changed = signal.WaitAsync(Interval, time, CancellationToken.None);
            Assert.False(changed.IsCompleted);
            signal.Notify();
            Assert.True(await changed);

            var timedOut = signal.WaitAsync(Interval, time, CancellationToken.None);
            time.Advance(Interval - TimeSpan.FromMilliseconds(1));
            Assert.False(timedOut.IsCompleted);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.False(await timedOut);
        }
    }

    [Fact]
    public async Task A_change_with_no_wait_outstanding_is_kept_for_the_next_wait_once()
    {
        signal.Notify();
        signal.Notify();

        var first = signal.WaitAsync(Interval, time, CancellationToken.None);
        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(await first);
        var second = signal.WaitAsync(Interval, time, CancellationToken.None);
        Assert.False(second.IsCompleted);
        time.Advance(Interval);
        Assert.False(await second);
    }

    [Fact]
    public async Task A_change_after_the_timer_ended_a_wait_is_not_lost()
    {
        var timedOut = signal.WaitAsync(Interval, time, CancellationToken.None);
        time.Advance(Interval);
        signal.Notify(); // the woken tailer may have started reading before this change
        Assert.False(await timedOut);

        Assert.True(await signal.WaitAsync(Interval, time, CancellationToken.None));
    }

    [Fact]
    public async Task The_timer_of_an_earlier_wait_does_not_cut_a_later_one_short()
    {
        var changed = signal.WaitAsync(Interval, time, CancellationToken.None);
        time.Advance(Interval / 2);
        signal.Notify();
        Assert.True(await changed);

        var next = signal.WaitAsync(Interval, time, CancellationToken.None);
        time.Advance(Interval / 2); // when the first wait's timer would have fired
        Assert.False(next.IsCompleted);
        time.Advance(Interval / 2);
        Assert.False(await next);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_with_an_operation_cancelled_exception()
    {
        using var cts = new CancellationTokenSource();
        var waiting = signal.WaitAsync(Interval, time, cts.Token);
        Assert.Throws<InvalidOperationException>(() => signal.WaitAsync(Interval, time, cts.Token)); // one wait at a time

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await signal.WaitAsync(Interval, time, cts.Token));
    }

    [Fact]
    public async Task A_real_write_in_the_watched_directory_wakes_the_wait()
    {
        signal.EnsureWatching();
        Assert.True(signal.IsWatching);

        var changed = signal.WaitAsync(TimeSpan.FromMinutes(5), TimeProvider.System, CancellationToken.None);
        await File.AppendAllTextAsync(temp.Combine("console.log"), "hello\n");

        Assert.True(await changed.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose()
    {
        signal.Dispose();
        temp.Dispose();
    }
}
