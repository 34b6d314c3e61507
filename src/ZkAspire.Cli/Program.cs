// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

// zkaspire: the zkCli-compatible shell and zkServer-style server control (docs/cli.md).
using System.Text;
using ZkAspire.Cli;

// Before any socket: the client's socket completions run on the epoll thread (see the class).
InlineSocketCompletions.PreferForThisProcess();

// zkCli prints its data as text; we always write and read UTF-8, whatever the locale says.
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
Console.InputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
return await ZkAspireCommandLine.RunAsync(args).ConfigureAwait(false);
