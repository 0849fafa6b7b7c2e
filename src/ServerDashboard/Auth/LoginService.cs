using Microsoft.AspNetCore.Identity;
using ServerDashboard.Audit;

namespace ServerDashboard.Auth;

/// <summary>The outcome of a login attempt; <see cref="Message"/> is the same for every failure.</summary>
public sealed record LoginOutcome(bool Succeeded, string? Message);

/// <summary>
/// A login attempt in one place: the per-(user, address) back-off, the password check, the audit entry (Login or
/// LoginFailed) and the log line. Every failure answers with one message, so the page never tells which accounts exist,
/// which are throttled, or whether the password was right.
/// </summary>
public sealed class LoginService(SignInManager<IdentityUser> signIn, LoginThrottle throttle, AuditLog audit, ILogger<LoginService> logger)
{
    public const string FailureMessage = "Wrong user name or password, or too many attempts: check them, or wait a few minutes and try again.";

    public async Task<LoginOutcome> LogInAsync(string userName, string password, bool rememberMe, string clientAddress)
    {
        userName = userName.Trim();
        // Typed by anyone, logged in three places below: a newline in it must not start a forged log line.
        string logName = Text.LogText.Escape(userName, 200);
        var actor = new AuditActor(userName, clientAddress);
        if (throttle.IsBlocked(userName, clientAddress, out _))
        {
            logger.LogWarning("Login for {UserName} from {Client} refused: too many recent failures", logName, clientAddress);
            await audit.RecordAsync(actor, AuditActions.LoginFailed, "throttled", success: false, "too many recent failures");
            return new LoginOutcome(false, FailureMessage);
        }

        // lockoutOnFailure: false — Identity's account lockout would let anyone keep an account (admin) locked out.
        var result = await signIn.PasswordSignInAsync(userName, password, rememberMe, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            throttle.RecordSuccess(userName, clientAddress);
            logger.LogInformation("User {UserName} logged in from {Client}", logName, clientAddress);
            await audit.RecordAsync(actor, AuditActions.Login, "", success: true, "logged in");
            return new LoginOutcome(true, null);
        }

        throttle.RecordFailure(userName, clientAddress);
        logger.LogWarning("Failed login for {UserName} from {Client}", logName, clientAddress);
        await audit.RecordAsync(actor, AuditActions.LoginFailed, "", success: false, result.IsLockedOut ? "account locked" : "wrong user name or password");
        return new LoginOutcome(false, FailureMessage);
    }
}
