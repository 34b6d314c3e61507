// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Performance;

/// <summary>The two implementations compared.</summary>
internal enum ServerFlavor
{
    /// <summary>Apache ZooKeeper 3.8, Debian's package, on Debian's OpenJDK with the package's default JVM options.</summary>
    Apache,

    /// <summary>Our zkaspire-server, native AOT or JIT as <c>--server-build</c> says.</summary>
    ZkAspire,
}
