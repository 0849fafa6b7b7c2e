using System.Runtime.InteropServices;

namespace SampleGameServer;

/// <summary>
/// Turns SIGTERM/SIGINT into a graceful stop (or ignores them with --ignore-sigterm).
/// The default action is cancelled so the runtime does not exit before the ordered shutdown ran.
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignals(ServerLog log, ServerLifetime lifetime, bool ignore)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (ignore)
                {
                    log.Warn($"Ignoring {context.Signal}");
                    return;
                }

                log.Info($"Received {context.Signal}, stopping server");
                lifetime.RequestStop();
            }));
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
