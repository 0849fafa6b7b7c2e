namespace ServerDashboard.Tests.Infrastructure;

/// <summary>One app per test class: starting the host (migrations, Identity) is the expensive part.</summary>
public sealed class DashboardFactoryFixture : IDisposable
{
    public DashboardFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}
