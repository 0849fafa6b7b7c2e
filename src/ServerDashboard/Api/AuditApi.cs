using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Data;

namespace ServerDashboard.Api;

/// <summary>One audit entry as the API shows it.</summary>
public sealed record AuditEntryModel(
    long Id, DateTimeOffset At, string Actor, int? ServerId, string? ServerName, string Action, string Detail, string Result, bool Success, string SourceIp)
{
    public static AuditEntryModel From(AuditEntry e) =>
        new(e.Id, e.At, e.Actor, e.ServerId, e.ServerName, e.Action, e.Detail, e.Result, e.Success, e.SourceIp);
}

/// <summary><c>GET /api/v1/audit?serverId=&amp;actor=&amp;action=&amp;from=&amp;to=&amp;take=</c> (Viewers): newest first, take 100 by default, at most 1000.</summary>
public static class AuditApi
{
    public static void MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async Task<Results<Ok<List<AuditEntryModel>>, ProblemHttpResult>> (
            int? serverId, string? actor, string? action, DateTimeOffset? from, DateTimeOffset? to, int? take,
            AuditLog audit, CancellationToken cancellationToken) =>
        {
            if (take is < 1 or > AuditLog.MaxTake)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid take",
                    detail: $"take must be between 1 and {AuditLog.MaxTake}.");
            }

            var page = await audit.QueryAsync(new AuditQuery(serverId, actor, action, from, to, Take: take ?? AuditLog.DefaultTake), cancellationToken);
            return TypedResults.Ok(page.Entries.Select(AuditEntryModel.From).ToList());
        }).RequireAuthorization(Policies.View).WithTags("Audit").WithName("ListAuditEntries");
    }
}
