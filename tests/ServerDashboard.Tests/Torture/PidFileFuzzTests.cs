using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ServerDashboard.Processes;
using ServerDashboard.Tests.Processes;
using Xunit.Abstractions;

namespace ServerDashboard.Tests.Torture;

/// <summary>
/// Generated hostile PID files (garbage, truncated and mutated JSON, wrong types, huge files, FIFOs, sockets, devices,
/// directories, symlinks, other owners and modes): the loader must never hang, crash or adopt anything.
/// </summary>
[Trait("Category", "Torture")]
public sealed class PidFileFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_loader_never_hangs_crashes_or_adopts_a_generated_file()
    {
        await using var h = new ProcessesHarness();
        h.Store.EnsureRunDirectory();
        var random = new Random(TortureMode.Seed);
        var files = TortureMode.Pick(1_000, 5_000);
        var kinds = new Dictionary<string, int>();
        var decoy = Process.Start("sleep", "1000"); // a live process the files may name: it must never be adopted
        try
        {
            for (var i = 0; i < files; i++)
            {
                var kind = Generate(h.Store.RunDirectory, $"f{i}", random, decoy.Id);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }

            var clock = Stopwatch.StartNew();
            var load = h.Registry.LoadFromDiskAsync();
            var finished = await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(120))) == load;
            clock.Stop();

            output.WriteLine($"pid-file fuzz ({TortureMode.Name}, seed {TortureMode.Seed}): {files} files, kinds: {string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"))}");
            Assert.True(finished, "the loader hung (no answer within 120 s)");
            var summary = await load;
            output.WriteLine($"loaded={summary.Loaded} cleaned={summary.Cleaned} kept={summary.Kept} in {clock.ElapsedMilliseconds} ms; hangs=0, crashes=0");
            Assert.Equal(0, summary.Loaded);
            Assert.Empty(h.Registry.Entries);
            Assert.True(ProcInfoAlive(decoy.Id), "the decoy process was signalled");
        }
        finally
        {
            decoy.Kill();
            await decoy.WaitForExitAsync();
        }
    }

    private static bool ProcInfoAlive(int pid) => Infrastructure.ProcInfo.IsAlive(pid);

    private static string Generate(string dir, string id, Random random, int livePid)
    {
        var path = Path.Combine(dir, id + PidFileStore.Extension);
        var kind = random.Next(16);
        switch (kind)
        {
            case 0:
                WritePrivate(path, RandomBytes(random, random.Next(0, 200)));
                return "garbage";
            case 1:
                WritePrivate(path, Encoding.UTF8.GetBytes(Truncate(ValidJson(id, livePid), random)));
                return "truncated-json";
            case 2:
                WritePrivate(path, Encoding.UTF8.GetBytes(Mutate(ValidJson(id, livePid), random)));
                return "mutated-json";
            case 3:
                // Names the live decoy with a wrong start time: a reused pid, never to be adopted or signalled.
                WritePrivate(path, Encoding.UTF8.GetBytes(ValidJson(id, livePid)));
                return "pid-reused";
            case 4:
                WritePrivate(path, Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "-5", 1 => "99999999999", _ => $"{livePid}\n" }));
                return "legacy-number";
            case 5:
                WritePrivate(path, Encoding.UTF8.GetBytes($$"""{"version":1,"pid":"{{livePid}}","serverId":[1],"cmd":{},"bootId":7}"""));
                return "wrong-types";
            case 6:
                using (var huge = new FileStream(path, FileMode.CreateNew))
                {
                    huge.SetLength(random.Next(2) == 0 ? 64 * 1024 + 1 : 512L * 1024 * 1024); // sparse
                }

                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                return "huge";
            case 7:
                Mkfifo(path);
                return "fifo";
            case 8:
                using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
                {
                    socket.Bind(new UnixDomainSocketEndPoint(path));
                }

                return "socket";
            case 9:
                return Mknod(path) ? "device" : Fallback(path, "device-unavailable");
            case 10:
                Directory.CreateDirectory(path);
                return "directory";
            case 11:
                File.CreateSymbolicLink(path, random.Next(2) == 0 ? "/etc/passwd" : "/dev/zero");
                return "symlink";
            case 12:
                WritePrivate(path, Encoding.UTF8.GetBytes(ValidJson(id, livePid)));
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
                return "wide-mode";
            case 13:
                WritePrivate(path, Encoding.UTF8.GetBytes(ValidJson(id, livePid)));
                Chown(path, 65534);
                return "other-owner";
            case 14:
                WritePrivate(path, Encoding.UTF8.GetBytes("{\"version\":1,\"pid\":" + livePid + ",\"serverId\":\"" + id + "\",\"cmd\":[\"a\\nb\"],\"name\":\"" + new string('\u202e', 50) + "\\n[ERR] forged\"}"));
                return "control-chars";
            default:
                WritePrivate(path, Encoding.UTF8.GetBytes(new string('[', random.Next(1, 60_000))));
                return "deep-nesting";
        }
    }

    private static string Fallback(string path, string kind)
    {
        WritePrivate(path, [0]);
        return kind;
    }

    private static string ValidJson(string id, int pid) =>
        $$"""{"version":1,"pid":{{pid}},"serverId":"{{id}}","name":"x","cmd":["/usr/bin/sleep","1000"],"cwd":"/","createdAt":"2026-01-01T00:00:00+00:00","processStartTime":1,"bootId":"{{File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()}}","exe":"/usr/bin/sleep"}""";

    private static string Truncate(string json, Random random) => json[..random.Next(1, json.Length)];

    private static string Mutate(string json, Random random)
    {
        var chars = json.ToCharArray();
        for (var i = 0; i < 1 + random.Next(5); i++)
        {
            chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
        }

        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static void WritePrivate(string path, byte[] content)
    {
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mknod(string path, uint mode, ulong dev);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);

    private static void Mkfifo(string path) => Assert.Equal(0, mkfifo(path, 0x180)); // 0600

    // A character device (1,3 = /dev/null) needs CAP_MKNOD; without it the case is counted as unavailable.
    private static bool Mknod(string path) => mknod(path, 0x2000 | 0x180, (1UL << 8) | 3) == 0;

    private static void Chown(string path, int uid) => chown(path, uid, uid);
}
