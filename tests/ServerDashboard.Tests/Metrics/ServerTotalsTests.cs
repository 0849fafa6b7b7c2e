using ServerDashboard.Metrics;

namespace ServerDashboard.Tests.Metrics;

public sealed class ServerTotalsTests
{
    [Fact]
    public void Cpu_time_only_grows_across_a_member_exit_and_a_new_run()
    {
        var totals = new ServerTotals().For(1);

        totals.ObserveCpu(pid: 100, groupCpuSeconds: 2.0);
        totals.ObserveCpu(pid: 100, groupCpuSeconds: 5.0);
        totals.ObserveCpu(pid: 100, groupCpuSeconds: 4.0); // a helper exited and took its second along
        totals.ObserveCpu(pid: 100, groupCpuSeconds: 4.5);
        totals.ObserveCpu(pid: 200, groupCpuSeconds: 1.0); // restarted: all of the new daemon's time is new

        Assert.Equal(6.5, totals.CpuSeconds, precision: 6);
    }

    [Fact]
    public void Crashes_count_oom_kills_separately_and_deleted_servers_are_forgotten()
    {
        var totals = new ServerTotals();
        totals.For(1).AddCrash(oomKilled: false);
        totals.For(1).AddCrash(oomKilled: true);
        totals.For(2).AddRestart();

        totals.Forget(keep: [1]);

        Assert.Equal(2, totals.For(1).Crashes);
        Assert.Equal(1, totals.For(1).OomKills);
        Assert.False(totals.TryGet(2, out _));
    }
}
