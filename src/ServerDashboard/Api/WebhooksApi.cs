using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Notifications;

namespace ServerDashboard.Api;

/// <summary>
/// Webhooks (docs/webhooks.md), Admins only: list, register, change, remove; a webhook's delivery log, Resend of one
/// delivery, and a Test delivery. 400 with field errors for bad input, 404 for an unknown webhook or delivery.
/// </summary>
public static class WebhooksApi
{
    public const int MaxDeliveries = 500;

    public static void MapWebhooksApi(this RouteGroupBuilder api)
    {
        var hooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        hooks.MapGet("", async (WebhookRegistry registry, CancellationToken cancellationToken) => TypedResults.Ok(await registry.ListAsync(cancellationToken)))
            .WithName("ListWebhooks");

        hooks.MapPost("", async Task<Results<Created<WebhookView>, ValidationProblem>> (WebhookInput body, WebhookRegistry registry, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await registry.CreateAsync(body, AuditActor.From(user, http), cancellationToken);
            return change.Webhook is { } created ? TypedResults.Created($"/api/v1/webhooks/{created.Id}", created) : TypedResults.ValidationProblem(change.Errors);
        }).WithName("CreateWebhook");

        hooks.MapPut("/{id:int}", async Task<Results<Ok<WebhookView>, ValidationProblem, ProblemHttpResult>> (int id, WebhookInput body, WebhookRegistry registry, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await registry.UpdateAsync(id, body, AuditActor.From(user, http), cancellationToken);
            if (change.NotFound)
            {
                return NotFound(id);
            }

            return change.Webhook is { } updated ? TypedResults.Ok(updated) : TypedResults.ValidationProblem(change.Errors);
        }).WithName("UpdateWebhook");

        hooks.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (int id, WebhookRegistry registry, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            await registry.DeleteAsync(id, AuditActor.From(user, http), cancellationToken) ? TypedResults.NoContent() : NotFound(id))
            .WithName("DeleteWebhook");

        hooks.MapGet("/{id:int}/deliveries", async Task<Results<Ok<IReadOnlyList<WebhookDeliveryView>>, ProblemHttpResult>> (int id, int? take, WebhookRegistry registry, CancellationToken cancellationToken) =>
        {
            if (take is < 1 or > MaxDeliveries)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid take", detail: $"take must be between 1 and {MaxDeliveries}");
            }

            return await registry.DeliveriesAsync(id, take ?? 50, cancellationToken) is { } list ? TypedResults.Ok(list) : NotFound(id);
        }).WithName("ListWebhookDeliveries");

        hooks.MapPost("/{id:int}/deliveries/{deliveryId}/resend", async Task<Results<Accepted<WebhookDeliveryView>, ProblemHttpResult>> (int id, string deliveryId, WebhookRegistry registry, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            await registry.ResendAsync(id, deliveryId, AuditActor.From(user, http), cancellationToken) is { } queued
                ? TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", queued)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found", detail: $"webhook {id} has no delivery '{deliveryId}'"))
            .WithName("ResendWebhookDelivery");

        hooks.MapPost("/{id:int}/test", async Task<Results<Ok<WebhookDeliveryView>, ProblemHttpResult>> (int id, WebhookDispatcher dispatcher, AuditLog audit, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var actor = AuditActor.From(user, http);
            WebhookDeliveryView? sent;
            try
            {
                sent = await dispatcher.TestAsync(id, actor.Name, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot send", detail: ex.Message);
            }

            if (sent is null)
            {
                return NotFound(id);
            }

            await audit.RecordAsync(actor, WebhookAuditActions.Test, $"webhook {id}: delivery {sent.DeliveryId}", sent.Status == Data.WebhookDeliveryStatus.Delivered,
                sent.LastStatusCode is { } code ? $"HTTP {code}" : sent.Error ?? "no response");
            return TypedResults.Ok(sent);
        }).WithName("TestWebhook");
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Webhook not found", detail: $"no webhook with id {id}");
}
