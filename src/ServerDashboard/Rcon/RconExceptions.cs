namespace ServerDashboard.Rcon;

/// <summary>Base of every RCON failure. Messages name the endpoint, never the password.</summary>
public class RconException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The peer broke the protocol (bad size field, unexpected packet). The connection is dropped.</summary>
public sealed class RconProtocolException(string message) : RconException(message);

/// <summary>The server refused the password (AUTH_RESPONSE id -1). Terminal: retrying cannot help.</summary>
public sealed class RconAuthenticationException(string message) : RconException(message);

/// <summary>Connect, auth or a command took longer than its limit. The connection is dropped.</summary>
public sealed class RconTimeoutException(string message) : RconException(message);

/// <summary>RCON is not configured for the server (unknown id, RCON disabled, no port).</summary>
public sealed class RconUnavailableException(string message) : RconException(message);

/// <summary>
/// The connection could not be opened or was closed/reset. <see cref="CommandSent"/> tells whether the command may
/// have reached the server: a "stop" that closes the connection as the server goes down counts as delivered.
/// </summary>
public sealed class RconConnectionException(string message, Exception? inner = null, bool commandSent = false) : RconException(message, inner)
{
    public bool CommandSent { get; } = commandSent;
}

/// <summary>A command's reply grew past <see cref="RconOptions.MaxReplyBytes"/>; the connection is reset.</summary>
public sealed class RconReplyTooLargeException(string message) : RconException(message);
