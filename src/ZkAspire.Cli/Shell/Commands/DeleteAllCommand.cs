// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;
using ZkAspire.Client;

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// <c>deleteall path [-b batch size]</c>: deletes a subtree as <c>ZKUtil.deleteRecursive</c> does:
/// lists it breadth first, then deletes it deepest first in multi transactions of the batch size
/// (1000 by default), at most ten in flight. A failed batch stops the rest and prints
/// <c>Failed to delete some node(s) in the subtree!</c>; the batches already applied stay applied.
/// </summary>
internal sealed class DeleteAllCommand() : ShellCommand("deleteall", "path [-b batch size]")
{
    private const int MaxInFlight = 10;
    private const int DefaultBatchSize = 1000;

    private static readonly OptionSet Options = new OptionSet().Add("b", true, "batch size");

    private ParsedCommand _parsed = null!;

    public override void Parse(IReadOnlyList<string> words, ShellOutput output)
    {
        _parsed = ParseOptions(Options, words);
        if (_parsed.Args.Count < 2)
        {
            throw new CliException(Usage);
        }
    }

    public override async Task ExecuteAsync(ShellContext context)
    {
        var batchSize = DefaultBatchSize;
        if (_parsed.Value("b") is { } text && !TryParseJavaInt(text, out batchSize))
        {
            throw new CliException("-b argument must be an int value");
        }

        var path = _parsed.Args[1];
        ValidatePath(path);
        List<string> tree;
        try
        {
            tree = await Subtree.ListBreadthFirstAsync(context, path).ConfigureAwait(false);
        }
        catch (KeeperException e)
        {
            throw CliException.FromKeeper(e.Code, e.Path, e);
        }

        if (!await DeleteInBatchesAsync(context, tree, batchSize).ConfigureAwait(false))
        {
            context.Output.Err("Failed to delete some node(s) in the subtree!");
        }
    }

    private static async Task<bool> DeleteInBatchesAsync(ShellContext context, List<string> tree, int batchSize)
    {
        var success = true;
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var batches = new List<Task>();
        var transaction = context.Client.Transaction();
        for (var i = tree.Count - 1; i >= 0; i--)
        {
            transaction.Delete(tree[i]);

            // A batch size below one never fills: everything goes in one transaction, as in zkCli.
            if (transaction.Count == batchSize || i == 0)
            {
                if (!Volatile.Read(ref success))
                {
                    break;
                }

                await inFlight.WaitAsync().ConfigureAwait(false);
                var batch = transaction;
                batches.Add(CommitAsync(batch));
                transaction = context.Client.Transaction();
            }
        }

        await Task.WhenAll(batches).ConfigureAwait(false);
        return success;

        async Task CommitAsync(Transaction batch)
        {
            try
            {
                await context.Connection.CallAsync(null, batch.CommitAsync).ConfigureAwait(false);
            }
            catch (KeeperException)
            {
                Volatile.Write(ref success, false);
            }
            finally
            {
                inFlight.Release();
            }
        }
    }
}
