using Microsoft.Extensions.Logging.Abstractions;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Supervision;

/// <summary>The one transition table: every legal move goes through the board, an illegal one is refused.</summary>
public sealed class TransitionTableTests
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));

    public static TheoryData<ServerState, ServerState> LegalMoves()
    {
        var data = new TheoryData<ServerState, ServerState>();
        foreach (var (from, to) in ServerTransitions.All)
        {
            data.Add(from, to);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LegalMoves))]
    public void Every_legal_move_is_applied_recorded_and_delivered(ServerState from, ServerState to)
    {
        var (board, log) = NewBoard();
        foreach (var step in PathTo(from))
        {
            board.Update(1, s => s with { State = step }, reason: "setup");
        }

        Assert.Equal(from, board.Get(1).State);
        var heard = new List<ServerStatus>();
        using var _ = board.Subscribe(heard.Add);

        var after = board.Update(1, s => s with { State = to, Message = "why" });

        Assert.Equal(to, after.State);
        Assert.Equal(to, Assert.Single(heard).State);
        Assert.Equal((from, to, "why"), (log.Last.From, log.Last.To, log.Last.Reason));
    }

    [Fact]
    public void An_illegal_move_is_refused_and_nothing_is_recorded_or_delivered()
    {
        var (board, log) = NewBoard();
        board.Update(1, s => s with { State = ServerState.Starting }); // Stopped → Starting
        var recorded = log.Count;
        var heard = new List<ServerStatus>();
        using var _ = board.Subscribe(heard.Add);

        var after = board.Update(1, s => s with { State = ServerState.Backoff, Message = "no" }); // Starting → Backoff: not in the table

        Assert.Equal(ServerState.Starting, after.State);
        Assert.Equal(ServerState.Starting, board.Get(1).State);
        Assert.Empty(heard);
        Assert.Equal(recorded, log.Count);
        Assert.False(ServerTransitions.IsLegal(ServerState.Stopping, ServerState.Starting));
    }

    [Fact]
    public void Every_state_has_a_way_out_and_the_table_knows_every_state()
    {
        foreach (var state in Enum.GetValues<ServerState>())
        {
            Assert.Contains(ServerTransitions.All, t => t.From == state);
        }
    }

    [Fact]
    public void Transitions_carry_the_actor_of_the_power_action()
    {
        var (board, log) = NewBoard();
        using (PowerActor.Use("apikey:ci"))
        {
            board.Update(1, s => s with { State = ServerState.Starting });
        }

        board.Update(1, s => s with { State = ServerState.Running });

        Assert.Equal("apikey:ci", log.All[0].Actor);
        Assert.Equal("system", log.All[1].Actor);
    }

    [Fact]
    public void Subscribers_hear_concurrent_changes_in_the_order_they_were_made()
    {
        var (board, _) = NewBoard();
        var heard = new List<int>();
        using var _ = board.Subscribe(s => heard.Add(s.Attempt ?? 0));
        board.Update(1, s => s with { State = ServerState.Crashed });
        board.Update(1, s => s with { State = ServerState.Backoff });

        Parallel.For(1, 200, i => board.Update(1, s => s with { Attempt = (s.Attempt ?? 0) + 1 }));

        Assert.Equal(Enumerable.Range(1, 199), heard.Skip(2));
    }

    /// <summary>Legal moves from Stopped (a new server's state) to <paramref name="state"/>.</summary>
    private static ServerState[] PathTo(ServerState state) => state switch
    {
        ServerState.Stopping => [ServerState.Running, ServerState.Stopping],
        ServerState.Backoff => [ServerState.Crashed, ServerState.Backoff],
        ServerState.Stopped => [],
        _ => [state],
    };

    private (ServerStatusBoard Board, RecordingTransitions Log) NewBoard()
    {
        var log = new RecordingTransitions();
        return (new ServerStatusBoard(time, log, NullLogger<ServerStatusBoard>.Instance), log);
    }
}

/// <summary>Captures what the board hands to the transition store.</summary>
internal sealed class RecordingTransitions : ITransitionSink
{
    private readonly List<ServerTransition> all = [];

    public IReadOnlyList<ServerTransition> All
    {
        get
        {
            lock (all)
            {
                return all.ToList();
            }
        }
    }

    public int Count => All.Count;

    public ServerTransition Last => All[^1];

    public void Record(ServerTransition transition)
    {
        lock (all)
        {
            all.Add(transition);
        }
    }
}
