// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Extensions.DistributedLock.Tests.Contract;
using ZkAspire.Extensions.DistributedLock.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;

namespace ZkAspire.Extensions.DistributedLock.Tests;

// One class per combination, as DistributedLock's CombinatorialTests: every primitive that can
// exclude runs the lock contract, against ZkAspire's server and against Apache ZooKeeper 3.8.
public sealed class ZkAspireMutexContract(ZkAspireServer server) : LockContractTests<ZkAspireServer, MutexKind>(server);

public sealed class ApacheMutexContract(ApacheServer server) : LockContractTests<ApacheServer, MutexKind>(server);

public sealed class ZkAspireWriteLockContract(ZkAspireServer server) : LockContractTests<ZkAspireServer, WriteLockKind>(server);

public sealed class ApacheWriteLockContract(ApacheServer server) : LockContractTests<ApacheServer, WriteLockKind>(server);

public sealed class ZkAspireSemaphoreAsLockContract(ZkAspireServer server) : LockContractTests<ZkAspireServer, SemaphoreKind>(server);

public sealed class ApacheSemaphoreAsLockContract(ApacheServer server) : LockContractTests<ApacheServer, SemaphoreKind>(server);

public sealed class ZkAspireReaderWriterLockContract(ZkAspireServer server) : ReaderWriterLockContractTests<ZkAspireServer>(server);

public sealed class ApacheReaderWriterLockContract(ApacheServer server) : ReaderWriterLockContractTests<ApacheServer>(server);

public sealed class ZkAspireSemaphoreContract(ZkAspireServer server) : SemaphoreContractTests<ZkAspireServer>(server);

public sealed class ApacheSemaphoreContract(ApacheServer server) : SemaphoreContractTests<ApacheServer>(server);

public sealed class ZkAspireRootNameTests(ZkAspireServer server) : RootNameTests<ZkAspireServer>(server);

public sealed class ApacheRootNameTests(ApacheServer server) : RootNameTests<ApacheServer>(server);
