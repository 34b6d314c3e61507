// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.ServerControl;

/// <summary>A zoo.cfg that server control cannot use.</summary>
internal sealed class ZooCfgException : Exception
{
    public ZooCfgException()
    {
    }

    public ZooCfgException(string message)
        : base(message)
    {
    }

    public ZooCfgException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
