// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli;

/// <summary>The exit codes of <c>zkaspire</c>, after ZooKeeper's <c>ExitCode</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Success (<c>EXECUTION_FINISHED</c>).</summary>
    public const int Success = 0;

    /// <summary>A command or an operation failed (<c>UNEXPECTED_ERROR</c>, and zkCli's failed commands).</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments to the program itself (<c>INVALID_INVOCATION</c>).</summary>
    public const int InvalidInvocation = 2;
}
