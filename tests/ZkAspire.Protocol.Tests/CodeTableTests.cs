// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol.Tests;

/// <summary>
/// Table integrity: every enum holds exactly the values of the doc's tables (§6–§10), with no
/// duplicates and nothing missing, so a typo in a code can't hide.
/// </summary>
public sealed class CodeTableTests
{
    [Fact]
    public void OpCodesMatchTheOpcodeTable()
    {
        // §6, plus the internal createSession, closeSession and error types.
        AssertTable<OpCode>(new()
        {
            ["Notification"] = 0, ["Create"] = 1, ["Delete"] = 2, ["Exists"] = 3, ["GetData"] = 4, ["SetData"] = 5,
            ["GetACL"] = 6, ["SetACL"] = 7, ["GetChildren"] = 8, ["Sync"] = 9, ["Ping"] = 11, ["GetChildren2"] = 12,
            ["Check"] = 13, ["Multi"] = 14, ["Create2"] = 15, ["Reconfig"] = 16, ["CheckWatches"] = 17,
            ["RemoveWatches"] = 18, ["CreateContainer"] = 19, ["DeleteContainer"] = 20, ["CreateTTL"] = 21,
            ["MultiRead"] = 22, ["Auth"] = 100, ["SetWatches"] = 101, ["Sasl"] = 102, ["GetEphemerals"] = 103,
            ["GetAllChildrenNumber"] = 104, ["SetWatches2"] = 105, ["AddWatch"] = 106, ["WhoAmI"] = 107,
            ["CreateSession"] = -10, ["CloseSession"] = -11, ["Error"] = -1,
        });
    }

    [Fact]
    public void ErrorCodesMatchKeeperExceptionCode()
    {
        // §7; −126 is unassigned.
        AssertTable<KeeperErrorCode>(new()
        {
            ["Ok"] = 0, ["SystemError"] = -1, ["RuntimeInconsistency"] = -2, ["DataInconsistency"] = -3,
            ["ConnectionLoss"] = -4, ["MarshallingError"] = -5, ["Unimplemented"] = -6, ["OperationTimeout"] = -7,
            ["BadArguments"] = -8, ["UnknownSession"] = -12, ["NewConfigNoQuorum"] = -13, ["ReconfigInProgress"] = -14,
            ["APIError"] = -100, ["NoNode"] = -101, ["NoAuth"] = -102, ["BadVersion"] = -103,
            ["NoChildrenForEphemerals"] = -108, ["NodeExists"] = -110, ["NotEmpty"] = -111, ["SessionExpired"] = -112,
            ["InvalidCallback"] = -113, ["InvalidACL"] = -114, ["AuthFailed"] = -115, ["SessionMoved"] = -118,
            ["NotReadOnly"] = -119, ["EphemeralOnLocalSession"] = -120, ["NoWatcher"] = -121, ["RequestTimeout"] = -122,
            ["ReconfigDisabled"] = -123, ["SessionClosedRequireSaslAuth"] = -124, ["QuotaExceeded"] = -125,
            ["Throttled"] = -127,
        });
    }

    [Fact]
    public void EventTypesAndKeeperStatesMatchWatcherEvent()
    {
        // §8.
        AssertTable<EventType>(new()
        {
            ["None"] = -1, ["NodeCreated"] = 1, ["NodeDeleted"] = 2, ["NodeDataChanged"] = 3,
            ["NodeChildrenChanged"] = 4, ["DataWatchRemoved"] = 5, ["ChildWatchRemoved"] = 6, ["PersistentWatchRemoved"] = 7,
        });
        AssertTable<KeeperState>(new()
        {
            ["Unknown"] = -1, ["Disconnected"] = 0, ["NoSyncConnected"] = 1, ["SyncConnected"] = 3, ["AuthFailed"] = 4,
            ["ConnectedReadOnly"] = 5, ["SaslAuthenticated"] = 6, ["Expired"] = -112, ["Closed"] = 7,
        });
    }

    [Fact]
    public void WatcherTypesAndAddWatchModes()
    {
        AssertTable<WatcherType>(new() { ["Children"] = 1, ["Data"] = 2, ["Any"] = 3, ["Persistent"] = 4, ["PersistentRecursive"] = 5 });
        AssertTable<AddWatchMode>(new() { ["Persistent"] = 0, ["PersistentRecursive"] = 1 });
    }

    [Fact]
    public void PermsAreTheFiveBitsAndAll()
    {
        // §10.
        AssertTable<Perms>(new() { ["None"] = 0, ["Read"] = 1, ["Write"] = 2, ["Create"] = 4, ["Delete"] = 8, ["Admin"] = 16, ["All"] = 31 });
    }

    [Fact]
    public void CreateModesAreTheFlagsZeroToSix()
    {
        // §9.
        AssertTable<CreateMode>(new()
        {
            ["Persistent"] = 0, ["Ephemeral"] = 1, ["PersistentSequential"] = 2, ["EphemeralSequential"] = 3,
            ["Container"] = 4, ["PersistentWithTtl"] = 5, ["PersistentSequentialWithTtl"] = 6,
        });
    }

    [Fact]
    public void ReservedXids()
    {
        Assert.Equal(-1, Xids.Notification);
        Assert.Equal(-2, Xids.Ping);
        Assert.Equal(-4, Xids.Auth);
        Assert.Equal(-8, Xids.SetWatches);
    }

    [Fact]
    public void WellKnownAcls()
    {
        Assert.Equal([new ACL(Perms.All, new Id("world", "anyone"))], Acls.OpenAclUnsafe);
        Assert.Equal([new ACL(Perms.All, new Id("auth", string.Empty))], Acls.CreatorAllAcl);
        Assert.Equal([new ACL(Perms.Read, new Id("world", "anyone"))], Acls.ReadAclUnsafe);
        Assert.Equal("world:anyone", Id.AnyoneIdUnsafe.ToString());
    }

    [Fact]
    public void EncodedSizes()
    {
        Assert.Equal(68, Jute.Encode(default(Stat)).Length);
        Assert.Equal(Stat.EncodedSize, Jute.Encode(default(Stat)).Length);
        Assert.Equal(RequestHeader.EncodedSize, Jute.Encode(default(RequestHeader)).Length);
        Assert.Equal(ReplyHeader.EncodedSize, Jute.Encode(default(ReplyHeader)).Length);
        Assert.Equal(9, Jute.Encode(MultiHeader.End).Length);
    }

    private static void AssertTable<TEnum>(Dictionary<string, int> expected)
        where TEnum : struct, Enum
    {
        var names = Enum.GetNames<TEnum>();
        var values = Enum.GetValues<TEnum>().Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Equal(expected.Count, names.Length);
        foreach (var (name, value) in expected)
        {
            Assert.True(Enum.TryParse<TEnum>(name, out var parsed), $"{typeof(TEnum).Name} has no member {name}.");
            Assert.True(
                value == Convert.ToInt32(parsed, System.Globalization.CultureInfo.InvariantCulture),
                $"{typeof(TEnum).Name}.{name} is {Convert.ToInt32(parsed, System.Globalization.CultureInfo.InvariantCulture)}, the doc says {value}.");
        }
    }
}

/// <summary>Four-letter words (§21).</summary>
public sealed class FourLetterWordsTests
{
    [Fact]
    public void KnowsExactlyTheCommandsOfZooKeeper()
    {
        // The commands of 3.8/3.9's FourLetterCommands (Debian's jar, checked with javap).
        string[] expected = ["conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro", "mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs"];
        Assert.Equal(expected, FourLetterWords.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryCommandRoundTripsThroughItsInt()
    {
        foreach (var command in FourLetterWords.All)
        {
            Assert.True(FourLetterWords.TryGetCommand(FourLetterWords.ToInt(command), out var parsed));
            Assert.Equal(command, parsed);
        }
    }

    [Fact]
    public void RuokIsTheDocsInt() => Assert.Equal(0x72756F6B, FourLetterWords.ToInt("ruok"));

    [Theory]
    [InlineData(0x0000002d)]   // a ConnectRequest's frame length
    [InlineData(0x72756F6C)]   // "ruol"
    [InlineData(0x5255_4F4B)]  // "RUOK": commands are lower case
    [InlineData(-1)]
    [InlineData(0x61616161)]   // "aaaa"
    public void OtherIntsAreFrameLengths(int value)
    {
        Assert.False(FourLetterWords.TryGetCommand(value, out var command));
        Assert.Equal(string.Empty, command);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("abcde")]
    public void ToIntNeedsFourLetters(string command) => Assert.Throws<ArgumentException>(() => FourLetterWords.ToInt(command));
}

/// <summary>Zxids: epoch and counter, ordering, formatting.</summary>
public sealed class ZxidTests
{
    [Fact]
    public void EpochIsTheHighHalfAndCounterTheLowHalf()
    {
        var zxid = new Zxid(0x0000_0003_0000_0010);
        Assert.Equal(3, zxid.Epoch);
        Assert.Equal(16u, zxid.Counter);
        Assert.Equal(zxid, Zxid.From(3, 16));
        Assert.Equal(Zxid.From(1, uint.MaxValue).Value + 1, Zxid.From(2, 0).Value);
        Assert.Equal(unchecked((int)0xFFFF_FFFF), new Zxid(-1).Epoch);
        Assert.Equal(uint.MaxValue, new Zxid(-1).Counter);
    }

    [Fact]
    public void OrderIsNumeric()
    {
        var a = Zxid.From(1, uint.MaxValue);
        var b = Zxid.From(2, 0);
        Assert.True(a < b);
        Assert.True(b > a);
        Assert.True(a <= Zxid.From(1, uint.MaxValue));
        Assert.True(b >= a);
        Assert.False(a >= b);
        Assert.True(a.CompareTo(b) < 0);
        Assert.Equal(0, b.CompareTo(Zxid.From(2, 0)));
    }

    [Theory]
    [InlineData(0L, "0x0")]
    [InlineData(0x1_0000_002aL, "0x10000002a")]
    [InlineData(-1L, "0xffffffffffffffff")]
    public void FormatsAsZooKeeperDoes(long value, string expected) => Assert.Equal(expected, new Zxid(value).ToString());
}

/// <summary>Create modes: flags, properties, and the opcode that decides the node type (§9).</summary>
public sealed class CreateModesTests
{
    [Theory]
    [InlineData(0, CreateMode.Persistent, false, false, false, false, OpCode.Create, OpCode.Create2)]
    [InlineData(1, CreateMode.Ephemeral, true, false, false, false, OpCode.Create, OpCode.Create2)]
    [InlineData(2, CreateMode.PersistentSequential, false, true, false, false, OpCode.Create, OpCode.Create2)]
    [InlineData(3, CreateMode.EphemeralSequential, true, true, false, false, OpCode.Create, OpCode.Create2)]
    [InlineData(4, CreateMode.Container, false, false, true, false, OpCode.CreateContainer, OpCode.CreateContainer)]
    [InlineData(5, CreateMode.PersistentWithTtl, false, false, false, true, OpCode.CreateTTL, OpCode.CreateTTL)]
    [InlineData(6, CreateMode.PersistentSequentialWithTtl, false, true, false, true, OpCode.CreateTTL, OpCode.CreateTTL)]
    public void EveryFlag(int flag, CreateMode mode, bool ephemeral, bool sequential, bool container, bool ttl, OpCode plain, OpCode withStat)
    {
        Assert.True(CreateModes.TryFromFlag(flag, out var parsed));
        Assert.Equal(mode, parsed);
        Assert.Equal(ephemeral, mode.IsEphemeral());
        Assert.Equal(sequential, mode.IsSequential());
        Assert.Equal(container, mode.IsContainer());
        Assert.Equal(ttl, mode.IsTtl());
        Assert.Equal(plain, mode.ToOpCode(wantStat: false));
        Assert.Equal(withStat, mode.ToOpCode(wantStat: true));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void OtherFlagsAreBadArguments(int flag) => Assert.False(CreateModes.TryFromFlag(flag, out _));
}
