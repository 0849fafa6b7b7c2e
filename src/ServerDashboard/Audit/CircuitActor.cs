using Microsoft.AspNetCore.Components.Authorization;

namespace ServerDashboard.Audit;

/// <summary>
/// The audit actor of a Blazor circuit (scoped: one per circuit): the signed-in user's name and the client address
/// captured when the circuit first needs it. Inside a circuit the HttpContext is the SignalR connection's, when there
/// is one at all; without it the address is recorded as "ui".
/// </summary>
public sealed class CircuitActor(AuthenticationStateProvider authentication, IHttpContextAccessor httpContextAccessor)
{
    private readonly string address = httpContextAccessor.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? AuditActor.UiAddress;

    public async Task<AuditActor> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return new AuditActor(AuditActor.NameOf(state.User), address);
    }
}
