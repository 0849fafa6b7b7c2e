namespace ServerDashboard.Servers;

/// <summary>
/// Who the power action in progress is for (a user name, <c>apikey:&lt;name&gt;</c>, or <c>system</c>), so the state
/// changes it causes are stored with that actor. Ambient (an <see cref="AsyncLocal{T}"/>) rather than a parameter: the
/// changes happen deep in the supervisor, and work the supervisor starts on its own (readiness, restarts) resets it.
/// </summary>
public static class PowerActor
{
    public const string System = "system";

    private static readonly AsyncLocal<string?> current = new();

    public static string Current => current.Value ?? System;

    /// <summary>Sets the actor for the calling flow until the returned scope is disposed.</summary>
    public static IDisposable Use(string actor)
    {
        var previous = current.Value;
        current.Value = actor;
        return new Scope(previous);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => current.Value = previous;
    }
}
