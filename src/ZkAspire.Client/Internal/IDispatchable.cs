// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client.Internal;

/// <summary>Work the <see cref="EventDispatcher"/> runs, in order, off the IO loop.</summary>
internal interface IDispatchable
{
    /// <summary>Runs the work; exceptions are logged and swallowed by the dispatcher.</summary>
    void Dispatch();
}
