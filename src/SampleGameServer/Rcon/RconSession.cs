using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SampleGameServer.Rcon;

/// <summary>One RCON connection: authenticate, then run commands until the client leaves.</summary>
public sealed class RconSession(
    Socket socket, byte[] passwordBytes, RconDialect dialect, CommandProcessor commands, ServerLifetime lifetime, ServerLog log)
{
    private bool _authenticated;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        log.Info($"RCON connection from {socket.RemoteEndPoint}");
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new RconPacketReader(stream);
        try
        {
            while (await reader.ReadAsync(cancellationToken) is { } packet)
            {
                if (!await HandleAsync(stream, packet, cancellationToken))
                {
                    return;
                }
            }
        }
        catch (InvalidDataException e)
        {
            log.Warn($"RCON client {socket.RemoteEndPoint} sent a bad packet ({e.Message}); closing");
        }
    }

    /// <summary>Handles one packet; false means the connection must be closed.</summary>
    private async Task<bool> HandleAsync(Stream stream, RconPacket packet, CancellationToken cancellationToken)
    {
        if (packet.Type == RconPacketType.Auth)
        {
            _authenticated = PasswordMatches(packet.Body);
            await WriteAsync(stream, dialect.AuthReply(packet.Id, _authenticated), cancellationToken);
            if (!_authenticated)
            {
                log.Warn($"RCON client {socket.RemoteEndPoint} used a wrong password; closing");
            }

            return _authenticated;
        }

        if (!_authenticated)
        {
            await WriteAsync(stream, [RconDialect.AuthFailure()], cancellationToken);
            return false;
        }

        if (packet.Type == RconPacketType.ExecCommand)
        {
            var command = packet.BodyText;
            log.Info($"[RCON] {command}");
            var outcome = commands.Execute(command, CommandSource.Rcon, cancellationToken);
            await WriteAsync(stream, dialect.CommandReply(packet.Id, outcome.Reply), cancellationToken);
            lifetime.Apply(outcome);
            return true;
        }

        await WriteAsync(stream, dialect.OtherPacketReply(packet), cancellationToken);
        return true;
    }

    private bool PasswordMatches(byte[] offered)
    {
        // Tolerate clients that add a NUL to the body; compare in constant time like any secret.
        var trimmed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(offered).TrimEnd('\0'));
        return CryptographicOperations.FixedTimeEquals(trimmed, passwordBytes);
    }

    private static async Task WriteAsync(Stream stream, IReadOnlyList<byte[]> writes, CancellationToken cancellationToken)
    {
        foreach (var write in writes)
        {
            await stream.WriteAsync(write, cancellationToken);
        }
    }
}
