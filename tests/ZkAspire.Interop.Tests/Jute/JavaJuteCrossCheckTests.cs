// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using ZkAspire.Protocol;
using ZkAspire.Protocol.Tests;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Interop.Tests.Jute;

/// <summary>
/// Our encoding of every sample record of the protocol tests, decoded and encoded again by
/// ZooKeeper's own jute classes (Debian's 3.8.0 jars): the bytes must come back unchanged and
/// fully read, so our layouts are ZooKeeper's, field for field.
/// </summary>
public sealed class JavaJuteCrossCheckTests
{
    private const string ClassPath = "/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar:/usr/share/java/slf4j-api.jar";

    [Fact]
    public async Task ZooKeepersJuteClassesReadAndRewriteOurBytesUnchanged()
    {
        // 3.8 has no DeleteContainerRequest record: its container reaper passes the raw UTF-8
        // path, without a length, to its own request pipeline (3.9 added the record, a buffer).
        // ZkAspire's trace-context extension records have no Java class (docs/telemetry.md).
        var samples = RecordSamples.All.Where(s => s.Value is not (DeleteContainerRequest or ConnectExtension or TraceContextHeader)).ToList();
        var input = string.Join('\n', samples.Select(s => JavaClass(s.Value) + " " + Convert.ToHexString(Protocol.Tests.Jute.Encode(s.Value)).ToLowerInvariant())) + "\n";
        var source = Path.Combine(AppContext.BaseDirectory, "Jute", "JuteEcho.java");

        // The single-file source launcher compiles JuteEcho.java in memory.
        var result = await ExternalProcess.RunAsync("/usr/bin/java", ["-cp", ClassPath, source], input, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
        var answers = result.OutputLines;
        Assert.Equal(samples.Count, answers.Count);

        var checkedCount = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var (name, record) = samples[i];
            var ours = Convert.ToHexString(Protocol.Tests.Jute.Encode(record)).ToLowerInvariant();
            var expected = ExpectedFromJava(record, ours);
            Assert.True(answers[i].StartsWith("OK ", StringComparison.Ordinal), $"{name}: ZooKeeper could not read our bytes: {answers[i]}");
            var parts = answers[i].Split(' ');
            Assert.True(expected == parts[1], $"{name}:\n ours: {ours}\n Java: {parts[1]}");
            Assert.True(parts[2] == UnreadByJava(record).ToString(CultureInfo.InvariantCulture), $"{name}: ZooKeeper left {parts[2]} bytes unread.");
            checkedCount++;
        }

        Assert.True(checkedCount > 90, $"Only {checkedCount} samples were checked.");
    }

    /// <summary>The Java class of a record: data records in org.apache.zookeeper.data, multi in org.apache.zookeeper.</summary>
    private static string JavaClass(IJuteRecord record) => record switch
    {
        Id or ACL or Stat or ClientInfo => "org.apache.zookeeper.data." + record.GetType().Name,
        MultiRequest => "org.apache.zookeeper.MultiOperationRecord",
        MultiResponse => "org.apache.zookeeper.MultiResponse",
        _ => "org.apache.zookeeper.proto." + record.GetType().Name,
    };

    /// <summary>What ZooKeeper writes back after reading our bytes, where it legitimately differs.</summary>
    private static string ExpectedFromJava(IJuteRecord record, string ours) => record switch
    {
        // 3.8's .jute lacks the readOnly byte: the Java record neither reads nor writes it (the
        // server and client handle it by hand, §4.1).
        ConnectRequest { ReadOnly: not null } or ConnectResponse { ReadOnly: not null } => ours[..^2],

        // ZooKeeper rebuilds each op of a multi (Op.create, Op.getData, …) while decoding.
        MultiRequest multi => Convert.ToHexString(Protocol.Tests.Jute.Encode(new MultiRequest([.. multi.Ops.Select(AsRebuiltByZooKeeper)]))).ToLowerInvariant(),
        _ => ours,
    };

    /// <summary>
    /// A multi op as ZooKeeper's MultiOperationRecord rebuilds it: the create opcode follows the
    /// flags (container flag → createContainer, else create, whatever was sent), and read ops
    /// lose their watch flag (§14; the contract suite shows the same on the wire).
    /// </summary>
    private static MultiOp AsRebuiltByZooKeeper(MultiOp op) => op switch
    {
        { Type: OpCode.Create or OpCode.Create2 or OpCode.CreateContainer, Record: CreateRequest create } =>
            op with { Type = create.Flags == (int)CreateMode.Container ? OpCode.CreateContainer : OpCode.Create },
        { Record: GetDataRequest getData } => op with { Record = getData with { Watch = false } },
        { Record: GetChildrenRequest getChildren } => op with { Record = getChildren with { Watch = false } },
        _ => op,
    };

    /// <summary>Bytes Java leaves unread: the readOnly byte it does not know.</summary>
    private static int UnreadByJava(IJuteRecord record) =>
        record is ConnectRequest { ReadOnly: not null } or ConnectResponse { ReadOnly: not null } ? 1 : 0;
}
