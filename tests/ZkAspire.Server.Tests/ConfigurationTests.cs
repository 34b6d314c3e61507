// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using ZkAspire.Server.Configuration;
using ZkAspire.Server.Quorum;

namespace ZkAspire.Server.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "zkaspire-config-" + Guid.NewGuid().ToString("n"));

    public ConfigurationTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void JavaPropertiesSyntaxIsReadAsZooKeeperReadsIt()
    {
        var entries = JavaProperties.Parse(
            "# comment\n" +
            "! also a comment\n" +
            "   \n" +
            "tickTime=2000\n" +
            "  initLimit : 10  \n" +
            "syncLimit 5\n" +
            "dataDir=/var/lib/\\\n" +
            "    zookeeper\n" +
            "key\\=with\\:escapes=a\\tb\\u0041\r\n" +
            "empty=\n" +
            "4lw.commands.whitelist = srvr, ruok\n");

        Assert.Equal(
            [
                ("tickTime", "2000"),
                ("initLimit", "10"),
                ("syncLimit", "5"),
                ("dataDir", "/var/lib/zookeeper"),
                ("key=with:escapes", "a\tbA"),
                ("empty", string.Empty),
                ("4lw.commands.whitelist", "srvr, ruok"),
            ],
            entries.Select(e => (e.Key, e.Value)));
        Assert.Equal(4, entries[0].Line);
        Assert.Equal(7, entries[3].Line);
    }

    [Fact]
    public void MalformedUnicodeEscapeIsAnError()
    {
        Assert.Throws<FormatException>(() => JavaProperties.Parse("a=\\u12"));
    }

    [Fact]
    public void NoConfigurationGivesTheDocumentedDefaults()
    {
        var configuration = ZooKeeperConfiguration.FromArguments([], new Hashtable());
        var options = configuration.Options;

        Assert.Equal("127.0.0.1", options.ClientPortAddress);
        Assert.Equal(2181, options.ClientPort);
        Assert.Equal(2000, options.TickTimeMs);
        Assert.Equal(60, options.MaxClientCnxns);
        Assert.Equal(4000, options.EffectiveMinSessionTimeoutMs);
        Assert.Equal(40000, options.EffectiveMaxSessionTimeoutMs);
        Assert.Equal(["srvr"], options.FourLetterWordWhitelist);
        Assert.True(options.IsFourLetterWordEnabled("srvr"));
        Assert.False(options.IsFourLetterWordEnabled("ruok"));
        Assert.Null(options.DataDir);
        Assert.Empty(configuration.Warnings);
    }

    [Fact]
    public void ReadsAZooCfg()
    {
        var path = Write(
            "tickTime=1000",
            "dataDir=/tmp/zk",
            "dataLogDir=/tmp/zklog",
            "clientPort=2182",
            "clientPortAddress=0.0.0.0",
            "maxClientCnxns=0",
            "minSessionTimeout=3000",
            "maxSessionTimeout=9000",
            "4lw.commands.whitelist=*",
            "zookeeper.extendedTypesEnabled=true",
            "jute.maxbuffer=4194304",
            "globalOutstandingLimit=50",
            "DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
            "znode.container.checkIntervalMs=100",
            "initLimit=5",
            "syncLimit=2",
            "server.1=localhost:2888:3888",
            "autopurge.snapRetainCount=5",
            "autopurge.purgeInterval=1",
            "snapCount=1000",
            "forceSync=no",
            "preAllocSize=1024",
            "snapSizeLimitInKb=2048",
            "zookeeper.txnLogSizeLimitInKb=4096",
            "admin.enableServer=false");
        var configuration = ZooKeeperConfiguration.Load(path);
        var o = configuration.Options;

        Assert.Equal(1000, o.TickTimeMs);
        Assert.Equal("/tmp/zk", o.DataDir);
        Assert.Equal("/tmp/zklog", o.DataLogDir);
        Assert.Equal(2182, o.ClientPort);
        Assert.Equal("0.0.0.0", o.ClientPortAddress);
        Assert.Equal(0, o.MaxClientCnxns);
        Assert.Equal(3000, o.EffectiveMinSessionTimeoutMs);
        Assert.Equal(9000, o.EffectiveMaxSessionTimeoutMs);
        Assert.True(o.IsFourLetterWordEnabled("dump"));
        Assert.True(o.ExtendedTypesEnabled);
        Assert.Equal(4194304, o.JuteMaxBuffer);
        Assert.Equal(50, o.GlobalOutstandingLimit);
        Assert.Equal("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", o.SuperDigest);
        Assert.Equal(100, o.ContainerCheckIntervalMs);
        Assert.Equal((5, 2), (o.InitLimit, o.SyncLimit));
        Assert.Equal("localhost:2888:3888", o.Servers[1]);
        Assert.Equal((5, 1, 1000), (o.AutopurgeSnapRetainCount, o.AutopurgePurgeIntervalHours, o.SnapCount));
        Assert.False(o.ForceSync);
        Assert.Equal((1024L, 2048L, 4096L), (o.PreAllocSizeKb, o.SnapSizeLimitInKb, o.TxnLogSizeLimitInKb));
        Assert.Empty(configuration.Warnings);

        // The persistence settings take effect now: no "not used yet" notice for them.
        Assert.DoesNotContain(configuration.Notices, n => n.StartsWith("snapCount:", StringComparison.Ordinal) || n.StartsWith("autopurge", StringComparison.Ordinal) || n.StartsWith("forceSync", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownKeysAreWarnedAboutByName()
    {
        var path = Write("tickTime=2000", "tikTime=3000", "clientport=2182");
        var configuration = ZooKeeperConfiguration.Load(path);

        Assert.Equal(2, configuration.Warnings.Count);
        Assert.Contains("'tikTime'", configuration.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("zoo.cfg line 2", configuration.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("'clientport'", configuration.Warnings[1], StringComparison.Ordinal);
        Assert.Contains("did you mean 'clientPort'", configuration.Warnings[1], StringComparison.Ordinal);
        Assert.Equal(2181, configuration.Options.ClientPort);
    }

    [Fact]
    public void UnsupportedSettingsAreWarnedAbout()
    {
        var configuration = ZooKeeperConfiguration.Load(Write("secureClientPort=2281"));
        Assert.Contains(configuration.Warnings, w => w.StartsWith("secureClientPort:", StringComparison.Ordinal));
    }

    [Fact]
    public void AdminServerIsAcceptedAndReportedAsAbsent()
    {
        var configuration = ZooKeeperConfiguration.Load(Write("admin.enableServer=true", "admin.serverPort=9090"));
        Assert.Contains(configuration.Notices, n => n.Contains("no AdminServer", StringComparison.Ordinal) && n.Contains("9090", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tickTime=abc", "tickTime", "abc", "expected an integer")]
    [InlineData("tickTime=0", "tickTime", "0", "must be positive")]
    [InlineData("clientPort=70000", "clientPort", "70000", "between 0 and 65535")]
    [InlineData("maxClientCnxns=-1", "maxClientCnxns", "-1", "0 (no limit) or more")]
    [InlineData("extendedTypesEnabled=maybe", "extendedTypesEnabled", "maybe", "expected yes or no (or true or false)")]
    [InlineData("forceSync=sometimes", "forceSync", "sometimes", "expected yes or no")]
    [InlineData("preAllocSize=1", "preAllocSize", "1", "at least 4 (KB)")]
    [InlineData("txnLogSizeLimitInKb=8", "txnLogSizeLimitInKb", "8", "not be smaller than preAllocSize")]
    [InlineData("dataLogDir=/tmp/x", "dataLogDir", "/tmp/x", "needs a dataDir")]
    [InlineData("4lw.commands.whitelist=srvr,oops", "4lw.commands.whitelist", "srvr,oops", "'oops' is not a four-letter word")]
    [InlineData("clientPortAddress=", "clientPortAddress", "", "must not be empty")]
    [InlineData("jute.maxbuffer=0", "jute.maxbuffer", "0", "must be positive")]
    public void BadValuesNameTheKeyAndTheValue(string line, string key, string value, string rule)
    {
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write(line)));
        Assert.Equal(key, e.Key);
        Assert.Equal(value, e.Value);
        Assert.Contains($"'{value}' for '{key}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadValueMessageSaysWhereTheValueCameFrom()
    {
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write("tickTime=2000", "maxSessionTimeout=ten")));
        Assert.Contains("zoo.cfg line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinSessionTimeoutAboveMaxIsAnError()
    {
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write("minSessionTimeout=50000", "maxSessionTimeout=40000")));
        Assert.Contains("must not be larger than maxSessionTimeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandLineBeatsEnvironmentBeatsFile()
    {
        var path = Write("clientPort=1111", "tickTime=1000", "maxClientCnxns=7");
        var environment = new Hashtable { ["ZKASPIRE_clientPort"] = "2222", ["ZKASPIRE_TICKTIME"] = "3000", ["OTHER"] = "x" };

        var options = ZooKeeperConfiguration.FromArguments([path, "clientPort=3333"], environment).Options;

        Assert.Equal(3333, options.ClientPort);
        Assert.Equal(3000, options.TickTimeMs);
        Assert.Equal(7, options.MaxClientCnxns);
    }

    [Fact]
    public void EnvironmentAcceptsTheUpperCaseFormWithDotsAsUnderscores()
    {
        var environment = new Hashtable
        {
            ["ZKASPIRE_4LW_COMMANDS_WHITELIST"] = "ruok,srvr",
            ["ZKASPIRE_EXTENDEDTYPESENABLED"] = "true",
            ["ZKASPIRE_SERVER_1"] = "localhost:2888:3888",
            ["ZKASPIRE_NO_SUCH_SETTING"] = "1",
        };

        var configuration = ZooKeeperConfiguration.FromArguments([], environment);

        Assert.True(configuration.Options.IsFourLetterWordEnabled("ruok"));
        Assert.True(configuration.Options.ExtendedTypesEnabled);
        Assert.Equal("localhost:2888:3888", configuration.Options.Servers[1]);
        var warning = Assert.Single(configuration.Warnings);
        Assert.Contains("ZKASPIRE_NO_SUCH_SETTING", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentsWithoutAConfigFileAreOverrides()
    {
        var options = ZooKeeperConfiguration.FromArguments(["clientPort=0", "tickTime=500"], new Hashtable()).Options;
        Assert.Equal((0, 500), (options.ClientPort, options.TickTimeMs));
    }

    [Fact]
    public void AnArgumentThatIsNotKeyValueIsAnError()
    {
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.FromArguments([Write("tickTime=2000"), "oops"], new Hashtable()));
        Assert.Contains("'oops'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Path.Combine(_directory, "nope.cfg")));
        Assert.Contains("nope.cfg", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTutorialsThreeServerEnsembleIsReadAsZooKeeperReadsIt()
    {
        var dataDir = Path.Combine(_directory, "zk2");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "2\n");
        var configuration = ZooKeeperConfiguration.Load(Write(
            "tickTime=2000",
            $"dataDir={dataDir}",
            "clientPort=2182",
            "initLimit=5",
            "syncLimit=2",
            "server.1=127.0.0.1:2881:3881",
            "server.2=127.0.0.1:2882:3882",
            "server.3=127.0.0.1:2883:3883:observer"));
        var o = configuration.Options;

        Assert.True(o.IsReplicated);
        Assert.Equal(2, o.ServerId);
        Assert.Equal((5, 2), (o.InitLimit, o.SyncLimit));
        var ensemble = o.GetEnsemble();
        Assert.Equal([1L, 2L, 3L], ensemble.Select(m => m.Id));
        Assert.Equal(("127.0.0.1", 2882, 3882), (ensemble[1].Host, ensemble[1].QuorumPort, ensemble[1].ElectionPort));
        Assert.Equal(Consensus.LearnerType.Participant, ensemble[0].Type);
        Assert.Equal(Consensus.LearnerType.Observer, ensemble[2].Type);
        Assert.DoesNotContain(configuration.Warnings, w => w.Contains("server.", StringComparison.Ordinal));
    }

    [Fact]
    public void AServerLineCanCarryTheClientAddressAsInZooKeeper35()
    {
        var dataDir = Path.Combine(_directory, "data");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "1");
        var o = ZooKeeperConfiguration.Load(Write(
            $"dataDir={dataDir}",
            "server.1=127.0.0.1:2881:3881:participant;127.0.0.1:2191",
            "server.2=127.0.0.1:2882:3882;2192")).Options;

        Assert.Equal(2191, o.ClientPort);
        Assert.Equal(2192, o.GetEnsemble()[1].ClientPort);
        Assert.Null(o.GetEnsemble()[1].ClientAddress);
        Assert.Equal("server.1=127.0.0.1:2881:3881:participant;127.0.0.1:2191", o.GetEnsemble()[0].ToConfigLine());

        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write(
            $"dataDir={dataDir}", "clientPort=2000", "server.1=127.0.0.1:2881:3881;2191", "server.2=127.0.0.1:2882:3882")));
        Assert.Contains("clientPort", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[::1]:2881:3881", "::1", null, null, "server.1=[::1]:2881:3881:participant")]
    [InlineData("[fe80::1]:2881:3881:observer;[::1]:2191", "fe80::1", "::1", 2191, "server.1=[fe80::1]:2881:3881:observer;[::1]:2191")]
    [InlineData("127.0.0.1:2881:3881;[::]:2191", "127.0.0.1", "::", 2191, "server.1=127.0.0.1:2881:3881:participant;[::]:2191")]
    public void IPv6AddressesInAServerLineAreBracketedWhenWrittenBackAsZooKeeperDoes(string text, string host, string? clientAddress, int? clientPort, string line)
    {
        var member = EnsembleMember.Parse(1, text);
        Assert.Equal((host, clientAddress, clientPort), (member.Host, member.ClientAddress, member.ClientPort));

        // conf and /zookeeper/config show this line, and Curator and zkCli parse it again.
        Assert.Equal(line, member.ToConfigLine());
        Assert.Equal(member, EnsembleMember.Parse(1, line["server.1=".Length..]));
    }

    [Theory]
    [InlineData("server.2=127.0.0.1:2882", "server.2")]
    [InlineData("server.2=127.0.0.1:2882:2882", "are both 2882")]
    [InlineData("server.2=127.0.0.1:2882:3882:voter", "voter")]
    [InlineData("server.2=127.0.0.1:x:3882", "quorum port")]
    [InlineData("server.2=:2882:3882", "host")]
    [InlineData("server.300=127.0.0.1:2882:3882", "255")]
    public void AMalformedServerLineIsAClearError(string line, string expected)
    {
        var dataDir = Path.Combine(_directory, "data");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "1");
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write(
            $"dataDir={dataDir}", "server.1=127.0.0.1:2881:3881", line)));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AnEnsembleNeedsADataDirAndAMyIdThatNamesAServerLine()
    {
        string[] servers = ["server.1=127.0.0.1:2881:3881", "server.2=127.0.0.1:2882:3882", "server.3=127.0.0.1:2883:3883"];
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write(servers), environment: new Hashtable()));
        Assert.Contains("dataDir", e.Message, StringComparison.Ordinal);

        var dataDir = Path.Combine(_directory, "data");
        e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write([$"dataDir={dataDir}", .. servers]), environment: new Hashtable()));
        Assert.Contains("myid", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "4");
        e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write([$"dataDir={dataDir}", .. servers]), environment: new Hashtable()));
        Assert.Contains("not one of the server.N lines (server.1, server.2, server.3)", e.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dataDir, "myid"), "3");
        e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write([$"dataDir={dataDir}", "peerType=observer", .. servers]), environment: new Hashtable()));
        Assert.Contains("peerType", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheIdComesFromZkAspireMyIdWhenThereIsNoMyIdFileAndIsWrittenThere()
    {
        string[] servers = ["server.1=127.0.0.1:2881:3881", "server.2=127.0.0.1:2882:3882", "server.3=127.0.0.1:2883:3883"];
        var dataDir = Path.Combine(_directory, "fresh");
        var configuration = ZooKeeperConfiguration.Load(Write([$"dataDir={dataDir}", .. servers]), environment: new Hashtable { ["ZKASPIRE_MYID"] = "3" });

        Assert.Equal(3, configuration.Options.ServerId);
        Assert.Equal("3", File.ReadAllText(Path.Combine(dataDir, "myid")).Trim());
        Assert.DoesNotContain(configuration.Warnings, w => w.Contains("MYID", StringComparison.OrdinalIgnoreCase));

        // The same id again is fine; another id contradicts the directory's identity.
        Assert.Equal(3, ZooKeeperConfiguration.Load(Write([$"dataDir={dataDir}", .. servers]), environment: new Hashtable { ["ZKASPIRE_MYID"] = "3" }).Options.ServerId);
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write([$"dataDir={dataDir}", .. servers]), environment: new Hashtable { ["ZKASPIRE_MYID"] = "2" }));
        Assert.Contains("contradicts", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write([$"dataDir={Path.Combine(_directory, "other")}", .. servers]), environment: new Hashtable { ["ZKASPIRE_MYID"] = "x" }));
        Assert.Contains("ZKASPIRE_MYID", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheQuorumSecretIsReadFromItsFileAndMustBeLongEnough()
    {
        var secretFile = Path.Combine(_directory, "quorum.secret");
        File.WriteAllText(secretFile, "a-secret-of-more-than-16-bytes\n");
        var o = ZooKeeperConfiguration.Load(Write($"zkaspire.quorumSecretFile={secretFile}"), environment: new Hashtable()).Options;
        Assert.Equal("a-secret-of-more-than-16-bytes"u8.ToArray(), o.QuorumSecret);

        File.WriteAllText(secretFile, "short\n");
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write($"zkaspire.quorumSecretFile={secretFile}"), environment: new Hashtable()));
        Assert.Contains("at least 16", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write($"zkaspire.quorumSecretFile={Path.Combine(_directory, "none")}"), environment: new Hashtable()));
        Assert.Contains("cannot read", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneServerLineRunsStandaloneUnlessStandaloneEnabledIsOff()
    {
        var dataDir = Path.Combine(_directory, "data");
        Assert.False(ZooKeeperConfiguration.Load(Write("server.1=127.0.0.1:2881:3881"), environment: new Hashtable()).Options.IsReplicated);

        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "1");
        var o = ZooKeeperConfiguration.Load(Write($"dataDir={dataDir}", "standaloneEnabled=false", "server.1=127.0.0.1:2881:3881"), environment: new Hashtable()).Options;
        Assert.True(o.IsReplicated);
        Assert.Equal(1, o.ServerId);
    }

    [Fact]
    public void MyIdIsReadFromTheDataDirectory()
    {
        var dataDir = Path.Combine(_directory, "data");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "3\n");

        Assert.Equal(3, ZooKeeperConfiguration.Load(Write($"dataDir={dataDir}")).Options.ServerId);

        File.WriteAllText(Path.Combine(dataDir, "myid"), "three\n");
        var e = Assert.Throws<ZooKeeperConfigurationException>(() => ZooKeeperConfiguration.Load(Write($"dataDir={dataDir}")));
        Assert.Equal("myid", e.Key);
    }

    private string Write(params string[] lines)
    {
        var path = Path.Combine(_directory, "zoo.cfg");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
