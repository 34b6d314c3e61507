// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>Transactions (multi) and batched reads (multiRead).</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>Starts an atomic batch of writes.</summary>
    /// <returns>An empty transaction; add ops and commit it.</returns>
    public Transaction Transaction() => new(this);

    /// <summary>Starts a batch of reads.</summary>
    /// <returns>An empty batch; add ops and execute it.</returns>
    public MultiRead MultiRead() => new(this);

    internal IReadOnlyList<ACL> DefaultAcl => _options.DefaultAcl;

    internal string MapPath(string path, bool isSequential = false) => ToServerPath(path, isSequential);

    internal Task<IReadOnlyList<OperationResult>> MultiAsync(OpCode opCode, MultiOp[] ops, string[] paths, CancellationToken cancellationToken) =>
        ExecuteAsync(
            opCode == OpCode.Multi ? "multi" : "multiRead",
            paths.Length > 0 ? paths[0] : null,
            idempotent: opCode == OpCode.MultiRead,
            (opCode, ops, paths),
            static (c, s) => c.CreatePacket(s.opCode, new MultiRequest(s.ops), s.paths.Length > 0 ? s.paths[0] : null),
            static (c, s, packet, body) =>
            {
                ThrowIfError(packet);
                var results = c.MapResults((MultiResponse)body!, s.paths);

                // The reply header of a failed multi says Ok; the failure is in the results
                // (§14.3): throw the first error, carrying every result.
                if (s.opCode == OpCode.Multi)
                {
                    for (var i = 0; i < results.Count; i++)
                    {
                        if (results[i] is ErrorResult { Code: not KeeperErrorCode.Ok } error)
                        {
                            var exception = KeeperException.Create(error.Code, i < s.paths.Length ? s.paths[i] : null);
                            exception.Results = results;
                            throw exception;
                        }
                    }
                }

                return (IReadOnlyList<OperationResult>)results;
            },
            cancellationToken);

    private List<OperationResult> MapResults(MultiResponse response, string[] paths)
    {
        var results = new List<OperationResult>(response.Results.Count);
        foreach (var result in response.Results)
        {
            results.Add(result.Record switch
            {
                ErrorResponse error => new ErrorResult(error.Error),
                Create2Response created => new CreateResult(_paths.ToClient(created.Path), created.Stat),
                CreateResponse created => new CreateResult(_paths.ToClient(created.Path), null),
                SetDataResponse set => new SetDataResult(set.Stat),
                GetDataResponse data => new GetDataResult(data.Data, data.Stat),
                GetChildrenResponse children => new GetChildrenResult(children.Children ?? []),
                _ when result.Type == OpCode.Delete => new DeleteResult(),
                _ when result.Type == OpCode.Check => new CheckResult(),
                _ when result.Type == OpCode.Error => new ErrorResult(result.Err),
                _ => throw new ProtocolException($"Unexpected result type {result.Type} in a multi reply."),
            });
        }

        if (results.Count != paths.Length)
        {
            throw new ProtocolException($"The multi reply holds {results.Count} results for {paths.Length} ops.");
        }

        return results;
    }
}
