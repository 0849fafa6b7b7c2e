using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ServerDashboard.Servers;

namespace ServerDashboard.Data;

/// <summary>One exit that was not a requested stop, with the console lines before it. Deleted with its server.</summary>
public sealed class CrashRecord
{
    public long Id { get; set; }

    public int ServerId { get; set; }

    public DateTimeOffset At { get; set; }

    public int? ExitCode { get; set; }

    public int? Signal { get; set; }

    public double? UptimeSeconds { get; set; }

    public CrashClassification Classification { get; set; }

    public string Description { get; set; } = "";

    /// <summary>The last console lines before the exit, oldest first.</summary>
    public List<string> LastLines { get; set; } = [];
}

internal sealed class CrashRecordConfiguration : IEntityTypeConfiguration<CrashRecord>
{
    public void Configure(EntityTypeBuilder<CrashRecord> crash)
    {
        crash.ToTable("CrashRecords");
        crash.HasIndex(c => new { c.ServerId, c.Id });
        crash.HasOne<ServerDefinition>().WithMany().HasForeignKey(c => c.ServerId).OnDelete(DeleteBehavior.Cascade);
        crash.Property(c => c.Classification).HasConversion<string>().HasMaxLength(32);
        crash.Property(c => c.Description).HasMaxLength(1000);
        crash.Property(c => c.LastLines).HasConversion(JsonColumns.StringList, JsonColumns.StringListComparer);
    }
}
