using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerDashboard.Notifications;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Notifications;

/// <summary>
/// A host run by the test server is stopped twice at once (by the factory and by the app's own run loop): a hosted
/// service's StopAsync must survive a concurrent second call. WebhookEventSources did not (a List enumerated by one call
/// while the other cleared it: "Collection was modified" when a CI run disposed a fixture).
/// </summary>
public sealed class WebhookEventSourcesStopTests
{
    [Fact]
    public async Task Concurrent_stops_after_a_start_never_throw_and_leave_nothing_subscribed()
    {
        using var factory = new DashboardFactory();
        _ = factory.CreateAnonymousClient(); // starts the host
        var sources = factory.Services.GetServices<IHostedService>().OfType<WebhookEventSources>().Single();
        var board = factory.Services.GetRequiredService<ServerDashboard.Servers.ServerStatusBoard>();
        await sources.StopAsync(CancellationToken.None);
        var baseline = board.SubscriberCount;

        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        for (var round = 0; round < 1000; round++)
        {
            await sources.StartAsync(CancellationToken.None);
            // Threads of their own, not pool work items: a blocking barrier on the pool of a busy 2-core machine waits for it to grow.
            using var go = new Barrier(2);
            var stoppers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                go.SignalAndWait();
                try
                {
                    sources.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            })).ToList();
            stoppers.ForEach(t => t.Start());
            stoppers.ForEach(t => t.Join());
        }

        Assert.Empty(failures);
        Assert.Equal(baseline, board.SubscriberCount);
    }
}
