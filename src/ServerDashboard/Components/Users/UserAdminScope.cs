using Microsoft.AspNetCore.Identity;
using ServerDashboard.Auth;

namespace ServerDashboard.Components.Users;

public static class UserAdminScope
{
    /// <summary>
    /// Runs one <see cref="UserAdministration"/> call in a fresh DI scope. A circuit lives for hours; a circuit-scoped
    /// UserManager would keep one DbContext whose tracked users go stale when another Admin edits them.
    /// </summary>
    public static async Task<T> RunUserAdminAsync<T>(this IServiceScopeFactory scopes, Func<UserAdministration, Task<T>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    /// <summary>Identity's error descriptions, one per line.</summary>
    public static IReadOnlyList<string> Messages(this IdentityResult result) => [.. result.Errors.Select(e => e.Description)];
}
