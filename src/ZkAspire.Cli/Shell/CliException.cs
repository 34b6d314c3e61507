// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Shell;

/// <summary>
/// A command that failed: zkCli's <c>CliException</c> family. The shell prints
/// <see cref="Exception.Message"/> on stderr and remembers <see cref="ExitCode"/>, which becomes the
/// process's exit code when the command was the last one (zkCli 3.8, ZOOKEEPER-3353).
/// </summary>
internal sealed class CliException : Exception
{
    /// <summary>zkCli's exit code of a failed command (<c>CliException.DEFAULT_EXCEPTION_EXIT_CODE</c>).</summary>
    public const int DefaultExitCode = 1;

    /// <summary>The exit code of an unknown command (<c>CommandNotFoundException</c>), as a shell's.</summary>
    public const int CommandNotFoundExitCode = 127;

    public CliException()
        : this("The command failed.")
    {
    }

    public CliException(string message)
        : this(message, DefaultExitCode)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = DefaultExitCode;
    }

    public CliException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>Gets the exit code the failure gives the process.</summary>
    public int ExitCode { get; }

    /// <summary>An unknown command (<c>CommandNotFoundException</c>); zkCli doubles the words, and so do we.</summary>
    public static CliException CommandNotFound(string command) =>
        new("Command not found: Command not found " + command, CommandNotFoundExitCode);

    /// <summary>
    /// A server or connection error, worded as <c>CliWrapperException.getMessage</c> words it: the
    /// common codes get a sentence, the others the Java client's <c>KeeperErrorCode = … for path</c>.
    /// </summary>
    /// <param name="code">The error code.</param>
    /// <param name="path">The path the Java client's exception would carry; Java prints a missing one as <c>null</c>.</param>
    /// <param name="innerException">The cause.</param>
    public static CliException FromKeeper(KeeperErrorCode code, string? path, Exception? innerException = null)
    {
        var where = path ?? "null";
        var message = code switch
        {
            KeeperErrorCode.NoNode => "Node does not exist: " + where,
            KeeperErrorCode.NoChildrenForEphemerals => "Ephemerals cannot have children: " + where,
            KeeperErrorCode.NodeExists => "Node already exists: " + where,
            KeeperErrorCode.NotEmpty => "Node not empty: " + where,
            KeeperErrorCode.NotReadOnly => "Not a read-only call: " + where,
            KeeperErrorCode.InvalidACL => "Acl is not valid : " + where,
            KeeperErrorCode.NoAuth => "Insufficient permission : " + where,
            KeeperErrorCode.BadArguments => "Arguments are not valid : " + where,
            KeeperErrorCode.BadVersion => "version No is not valid : " + where,
            KeeperErrorCode.ReconfigInProgress => "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)",
            KeeperErrorCode.NewConfigNoQuorum => "No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced",
            KeeperErrorCode.QuotaExceeded => "Quota has exceeded : " + where,
            _ => KeeperException.FormatMessage(code, path),
        };
        return innerException is null ? new CliException(message) : new CliException(message, innerException);
    }
}
