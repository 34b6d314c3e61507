// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client.Tests.Unit;

/// <summary>Error codes as typed exceptions.</summary>
public sealed class KeeperExceptionTests
{
    public static TheoryData<KeeperErrorCode, Type> Codes => new()
    {
        { KeeperErrorCode.SystemError, typeof(SystemErrorException) },
        { KeeperErrorCode.RuntimeInconsistency, typeof(RuntimeInconsistencyException) },
        { KeeperErrorCode.DataInconsistency, typeof(DataInconsistencyException) },
        { KeeperErrorCode.ConnectionLoss, typeof(ConnectionLossException) },
        { KeeperErrorCode.MarshallingError, typeof(MarshallingErrorException) },
        { KeeperErrorCode.Unimplemented, typeof(UnimplementedException) },
        { KeeperErrorCode.OperationTimeout, typeof(OperationTimeoutException) },
        { KeeperErrorCode.BadArguments, typeof(BadArgumentsException) },
        { KeeperErrorCode.NewConfigNoQuorum, typeof(NewConfigNoQuorumException) },
        { KeeperErrorCode.ReconfigInProgress, typeof(ReconfigInProgressException) },
        { KeeperErrorCode.NoNode, typeof(NoNodeException) },
        { KeeperErrorCode.NoAuth, typeof(NoAuthException) },
        { KeeperErrorCode.BadVersion, typeof(BadVersionException) },
        { KeeperErrorCode.NoChildrenForEphemerals, typeof(NoChildrenForEphemeralsException) },
        { KeeperErrorCode.NodeExists, typeof(NodeExistsException) },
        { KeeperErrorCode.NotEmpty, typeof(NotEmptyException) },
        { KeeperErrorCode.SessionExpired, typeof(SessionExpiredException) },
        { KeeperErrorCode.InvalidACL, typeof(InvalidAclException) },
        { KeeperErrorCode.AuthFailed, typeof(AuthFailedException) },
        { KeeperErrorCode.SessionMoved, typeof(SessionMovedException) },
        { KeeperErrorCode.NotReadOnly, typeof(NotReadOnlyException) },
        { KeeperErrorCode.EphemeralOnLocalSession, typeof(EphemeralOnLocalSessionException) },
        { KeeperErrorCode.NoWatcher, typeof(NoWatcherException) },
        { KeeperErrorCode.RequestTimeout, typeof(RequestTimeoutException) },
        { KeeperErrorCode.ReconfigDisabled, typeof(ReconfigDisabledException) },
        { KeeperErrorCode.SessionClosedRequireSaslAuth, typeof(SessionClosedRequireSaslAuthException) },
        { KeeperErrorCode.QuotaExceeded, typeof(QuotaExceededException) },
        { KeeperErrorCode.Throttled, typeof(ThrottledException) },
        { KeeperErrorCode.UnknownSession, typeof(KeeperException) },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void EachCodeHasItsException(KeeperErrorCode code, Type type)
    {
        var exception = KeeperException.Create(code, "/p");
        Assert.IsType(type, exception);
        Assert.Equal(code, exception.Code);
        Assert.Equal("/p", exception.Path);
        Assert.StartsWith("KeeperErrorCode = ", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith(" for /p", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagesAreTheJavaClients()
    {
        Assert.Equal("KeeperErrorCode = NoNode for /a", new NoNodeException("/a").Message);
        Assert.Equal("KeeperErrorCode = Directory not empty for /a", new NotEmptyException("/a").Message);
        Assert.Equal("KeeperErrorCode = Session expired", new SessionExpiredException().Message);
        Assert.Equal("KeeperErrorCode = ConnectionLoss", new ConnectionLossException().Message);
        Assert.Throws<ArgumentException>(() => KeeperException.Create(KeeperErrorCode.Ok));
    }
}
