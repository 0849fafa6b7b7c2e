using Microsoft.Extensions.Logging.Abstractions;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Cgroups;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Processes;

/// <summary>
/// The cgroup v2 path against a temp directory laid out like a delegated cgroupfs (this kernel's unified hierarchy has
/// no controllers, so v2 cannot run for real here): what is written where, and what is read back.
/// </summary>
public sealed class CgroupV2WriterTests
{
    private const string Own = "/system.slice/serverdashboard.service";

    [Fact]
    public void Detection_moves_the_dashboard_into_a_leaf_and_hands_the_controllers_down_the_subtree()
    {
        using var root = FakeV2();
        var cgroups = Manager(root, dataDirectory: "/srv/dashboard");

        Assert.Equal(CgroupVersion.V2, cgroups.Support.Version);
        Assert.Equal("enforced by cgroup v2", cgroups.Support.Describe());
        var service = root.Combine("system.slice", "serverdashboard.service");
        // "No internal processes": the service cgroup keeps no process once it delegates controllers.
        Assert.Equal(Environment.ProcessId.ToString(), File.ReadAllText(Path.Combine(service, "dashboard", "cgroup.procs")));
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(service, "cgroup.subtree_control")));
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(service, "serverdashboard", "cgroup.subtree_control")));
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(service, cgroups.InstanceSubtree, "cgroup.subtree_control")));
    }

    [Fact]
    public void A_server_cgroup_gets_memory_swap_cpu_and_pids_limits_in_v2_syntax()
    {
        using var root = FakeV2();
        var cgroups = Manager(root, dataDirectory: "/srv/dashboard");

        var cgroup = cgroups.Create("42", new CgroupLimits(MemoryMb: 2048, CpuPercent: 150, MaxProcesses: 64))!;

        var directory = Assert.Single(cgroup.Directories);
        Assert.Equal(root.Combine("system.slice", "serverdashboard.service", cgroups.InstanceSubtree, "42"), directory);
        Assert.Equal($"system.slice/serverdashboard.service/{cgroups.InstanceSubtree}/42", cgroup.Name);
        Assert.Equal("2147483648", File.ReadAllText(Path.Combine(directory, "memory.max")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(directory, "memory.swap.max")));
        Assert.Equal("150000 100000", File.ReadAllText(Path.Combine(directory, "cpu.max")));
        Assert.Equal("64", File.ReadAllText(Path.Combine(directory, "pids.max")));
        var prefix = cgroups.JoinPrefix(cgroup);
        Assert.EndsWith("/cgexec", prefix[0]);
        Assert.Equal(["-g", $"memory,cpu,pids:{cgroup.Name}", "--"], prefix.Skip(1));
    }

    [Fact]
    public void Unset_limits_are_written_as_max()
    {
        using var root = FakeV2();
        var cgroups = Manager(root, dataDirectory: "/srv/dashboard");

        var directory = cgroups.Create("1", new CgroupLimits())!.Directories[0];

        Assert.Equal("max", File.ReadAllText(Path.Combine(directory, "memory.max")));
        Assert.Equal("max", File.ReadAllText(Path.Combine(directory, "memory.swap.max")));
        Assert.Equal("max 100000", File.ReadAllText(Path.Combine(directory, "cpu.max")));
        Assert.Equal("max", File.ReadAllText(Path.Combine(directory, "pids.max")));
    }

    [Fact]
    public void OOM_kills_members_and_usage_are_read_from_the_v2_files()
    {
        using var root = FakeV2();
        var cgroups = Manager(root, dataDirectory: "/srv/dashboard");
        var cgroup = cgroups.Create("5", new CgroupLimits(MemoryMb: 64))!;
        var directory = cgroup.Directories[0];
        File.WriteAllText(Path.Combine(directory, "memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
        File.WriteAllText(Path.Combine(directory, "cgroup.procs"), "101\n102\n");
        File.WriteAllText(Path.Combine(directory, "cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
        File.WriteAllText(Path.Combine(directory, "memory.current"), "67108864\n");

        Assert.Equal(1, cgroups.OomKills(cgroup));
        Assert.Equal([101, 102], cgroups.Members(cgroup));
        Assert.Equal((TimeSpan.FromSeconds(2.5), 67108864L), cgroups.Usage(cgroup));
    }

    [Fact]
    public void Without_delegated_controllers_there_is_no_v2_and_the_reason_says_how_to_get_it()
    {
        using var root = FakeV2(controllers: "cpu io");
        var cgroups = Manager(root, dataDirectory: "/srv/dashboard");

        Assert.False(cgroups.Support.Available);
        Assert.Contains("memory, pids", cgroups.Support.Reason);
        Assert.Contains("Delegate=yes", cgroups.Support.Reason);
    }

    [Fact]
    public void Two_data_directories_never_share_a_cgroup()
    {
        Assert.NotEqual(CgroupManager.InstanceName("/srv/a"), CgroupManager.InstanceName("/srv/b"));
        Assert.Equal(CgroupManager.InstanceName("/srv/a"), CgroupManager.InstanceName("/srv/a/"));
        Assert.Matches("^d-[0-9a-f]{8}$", CgroupManager.InstanceName("/srv/a"));
    }

    private static TempDirectory FakeV2(string controllers = "cpuset cpu io memory hugetlb pids rdma misc")
    {
        var root = new TempDirectory();
        File.WriteAllText(root.Combine("cgroup.controllers"), controllers);
        var service = Directory.CreateDirectory(root.Combine("system.slice", "serverdashboard.service")).FullName;
        File.WriteAllText(Path.Combine(service, "cgroup.controllers"), controllers);
        File.WriteAllText(Path.Combine(service, "cgroup.procs"), $"{Environment.ProcessId}\n");
        return root;
    }

    private static CgroupManager Manager(TempDirectory root, string dataDirectory)
    {
        var procFs = new ProcFs();
        return new CgroupManager(new CgroupOptions { Root = root.Path }, dataDirectory, new ExecutableResolver(), procFs,
            new ProcessHandles(procFs), NullLogger<CgroupManager>.Instance, () => $"0::{Own}\n");
    }
}
