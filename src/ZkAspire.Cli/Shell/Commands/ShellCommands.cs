// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Shell.Commands;

/// <summary>
/// The commands zkCli runs through <c>CliCommand</c> classes (<c>CommandFactory</c>); the shell's
/// built-ins (connect, history, redo, printwatches, quit) live in <see cref="ZooKeeperShell"/>.
/// zkCli 3.8's quota commands (setquota, listquota, delquota) and reconfig are not implemented.
/// </summary>
internal static class ShellCommands
{
    private static readonly Dictionary<string, Func<ShellCommand>> Factories = new(StringComparer.Ordinal)
    {
        ["close"] = () => new CloseCommand(),
        ["create"] = () => new CreateCommand(),
        ["delete"] = () => new DeleteCommand(),
        ["deleteall"] = () => new DeleteAllCommand(),
        ["set"] = () => new SetCommand(),
        ["get"] = () => new GetCommand(),
        ["ls"] = () => new LsCommand(),
        ["getAcl"] = () => new GetAclCommand(),
        ["setAcl"] = () => new SetAclCommand(),
        ["stat"] = () => new StatCommand(),
        ["sync"] = () => new SyncCommand(),
        ["addauth"] = () => new AddAuthCommand(),
        ["config"] = () => new GetConfigCommand(),
        ["removewatches"] = () => new RemoveWatchesCommand(),
        ["getEphemerals"] = () => new GetEphemeralsCommand(),
        ["getAllChildrenNumber"] = () => new GetAllChildrenNumberCommand(),
        ["version"] = () => new VersionCommand(),
        ["addWatch"] = () => new AddWatchCommand(),
        ["whoami"] = () => new WhoAmICommand(),
    };

    /// <summary>Gets every command's name.</summary>
    public static IEnumerable<string> Names => Factories.Keys;

    /// <summary>Creates a command by name.</summary>
    /// <param name="name">The name, case-sensitive as in zkCli.</param>
    /// <param name="command">The command.</param>
    /// <returns><see langword="true"/> if it exists.</returns>
    public static bool TryCreate(string name, out ShellCommand command)
    {
        if (Factories.TryGetValue(name, out var factory))
        {
            command = factory();
            return true;
        }

        command = null!;
        return false;
    }
}
