using Microsoft.AspNetCore.Identity;

namespace ServerDashboard.Api;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A POST with an antiforgery token (the form in the header), so a link on another site cannot log users out.
        endpoints.MapPost("/account/logout", async (SignInManager<IdentityUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        })
        // Minimal APIs check the token only for form-bound parameters; this endpoint has none, so ask for it explicitly.
        .WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute())
        .ExcludeFromDescription();
        return endpoints;
    }
}
