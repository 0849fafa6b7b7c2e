using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ServerDashboard.Data;

/// <summary>
/// A server's resource figures at one instant (<see cref="ResolutionSeconds"/> 0: one monitoring tick) or averaged over a
/// bucket of <see cref="ResolutionSeconds"/> starting at <see cref="AtUnixMs"/> (60: a minute, 3600: an hour).
/// No foreign key: a tick's batch must not fail because a server was deleted meanwhile; maintenance drops orphans.
/// </summary>
public sealed class ResourceSample
{
    public int ServerId { get; set; }

    public int ResolutionSeconds { get; set; }

    /// <summary>Unix milliseconds (UTC): plain integers so downsampling can bucket them in SQL.</summary>
    public long AtUnixMs { get; set; }

    public double? CpuPercent { get; set; }

    public long? MemoryBytes { get; set; }

    public int? OpenFiles { get; set; }

    public int? Threads { get; set; }
}

internal sealed class ResourceSampleConfiguration : IEntityTypeConfiguration<ResourceSample>
{
    public void Configure(EntityTypeBuilder<ResourceSample> sample)
    {
        sample.ToTable("ResourceSamples");
        sample.HasKey(s => new { s.ServerId, s.ResolutionSeconds, s.AtUnixMs });
        sample.HasIndex(s => new { s.ResolutionSeconds, s.AtUnixMs });
    }
}
