// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Consensus.Tests;

public sealed class TxnHistoryTests
{
    private static TxnHistory History(long start, params string[] zxids)
    {
        var history = new TxnHistory(start);
        foreach (var z in zxids)
        {
            history.Append(new TxnEntry(ZxidText.Parse(z), new byte[] { 1 }));
        }

        return history;
    }

    [Fact]
    public void LastBelowFindsTheLastSharedPoint()
    {
        var history = History(ZxidText.Parse("1.1"), "1.2", "1.3", "3.1");
        Assert.Equal(ZxidText.Parse("1.3"), history.LastBelow(ZxidText.Parse("2.5")));
        Assert.Equal(ZxidText.Parse("1.1"), history.LastBelow(ZxidText.Parse("1.2")));
        Assert.Equal(-1, history.LastBelow(ZxidText.Parse("1.1")));
        Assert.Equal(-1, history.LastBelow(ZxidText.Parse("0.9")));
        Assert.True(history.Contains(ZxidText.Parse("1.1")));
        Assert.False(history.Contains(ZxidText.Parse("2.1")));
    }

    [Fact]
    public void TrimKeepsTheUnappliedAndTheRetained()
    {
        var history = History(0, "1.1", "1.2", "1.3", "1.4");
        history.TrimFront(ZxidText.Parse("1.3"), keep: 2);
        Assert.Equal(ZxidText.Parse("1.2"), history.StartZxid);
        Assert.Equal(2, history.Count);
        history.TrimFront(ZxidText.Parse("1.3"), keep: 0);
        Assert.Equal(ZxidText.Parse("1.3"), history.StartZxid);
        Assert.Equal(ZxidText.Parse("1.4"), history[0].Zxid);
    }

    [Fact]
    public void AppendsMustFollow()
    {
        var history = History(0, "1.2");
        Assert.Throws<InvalidOperationException>(() => history.Append(new TxnEntry(ZxidText.Parse("1.2"), default)));
        history.TruncateAfter(0);
        Assert.Equal(0, history.LastZxid);
    }
}
