namespace ServerDashboard.Jobs;

/// <summary>A job request that cannot be done as asked; the message says why (HTTP 400, CLI exit 2).</summary>
public sealed class JobInputException(string message) : Exception(message);

/// <summary>A job of that name already runs (HTTP 409).</summary>
public sealed class JobConflictException(string message) : Exception(message);

/// <summary>No job of that name (HTTP 404, CLI exit 1).</summary>
public sealed class JobNotFoundException(string name) : Exception($"no job named '{name}'")
{
    public string Name { get; } = name;
}
