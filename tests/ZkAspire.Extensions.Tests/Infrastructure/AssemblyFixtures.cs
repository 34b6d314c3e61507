// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.TestInfrastructure.Contract;

// One server of each kind serves the whole assembly (see ServerFixture).
[assembly: AssemblyFixture(typeof(ZkAspireServer))]
[assembly: AssemblyFixture(typeof(ApacheServer))]
