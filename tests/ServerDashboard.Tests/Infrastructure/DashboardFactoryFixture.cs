namespace ServerDashboard.Tests.Infrastructure;

/// <summary>
/// One dashboard shared by a test class. Its rate limits are lifted: these tests fire bursts on purpose (races on unique
/// fields, fuzzing) and are about other behaviour; the limiter has its own tests (Security/WebSurfaceTests).
/// </summary>
public sealed class DashboardFactoryFixture : IDisposable
{
    public DashboardFactory Factory { get; } = new(settings: DashboardFactory.UnlimitedRates);

    public void Dispose() => Factory.Dispose();
}
