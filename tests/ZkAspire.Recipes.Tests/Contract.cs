// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Recipes.Tests.Atomic;
using ZkAspire.Recipes.Tests.Barriers;
using ZkAspire.Recipes.Tests.Cache;
using ZkAspire.Recipes.Tests.Discovery;
using ZkAspire.Recipes.Tests.Faults;
using ZkAspire.Recipes.Tests.Infrastructure;
using ZkAspire.Recipes.Tests.Interop;
using ZkAspire.Recipes.Tests.Leader;
using ZkAspire.Recipes.Tests.Locks;
using ZkAspire.TestInfrastructure;

namespace ZkAspire.Recipes.Tests;

// Every scenario runs against ZkAspire's server and against Apache ZooKeeper 3.8.
public sealed class ZkAspireMutexTests(ZkAspireServer server) : MutexTests<ZkAspireServer>(server);

public sealed class ApacheMutexTests(ApacheServer server) : MutexTests<ApacheServer>(server);

public sealed class ZkAspireSemaphoreTests(ZkAspireServer server) : SemaphoreTests<ZkAspireServer>(server);

public sealed class ApacheSemaphoreTests(ApacheServer server) : SemaphoreTests<ApacheServer>(server);

public sealed class ZkAspireReadWriteLockTests(ZkAspireServer server) : ReadWriteLockTests<ZkAspireServer>(server);

public sealed class ApacheReadWriteLockTests(ApacheServer server) : ReadWriteLockTests<ApacheServer>(server);

public sealed class ZkAspireMultiLockTests(ZkAspireServer server) : MultiLockTests<ZkAspireServer>(server);

public sealed class ApacheMultiLockTests(ApacheServer server) : MultiLockTests<ApacheServer>(server);

public sealed class ZkAspireTicketSaleTests(ZkAspireServer server) : TicketSaleTests<ZkAspireServer>(server);

public sealed class ApacheTicketSaleTests(ApacheServer server) : TicketSaleTests<ApacheServer>(server);

public sealed class ZkAspireCuratorInteropTests(ZkAspireServer server, CuratorFixture<ZkAspireServer> curator)
    : CuratorInteropTests<ZkAspireServer>(server, curator), IClassFixture<CuratorFixture<ZkAspireServer>>;

public sealed class ApacheCuratorInteropTests(ApacheServer server, CuratorFixture<ApacheServer> curator)
    : CuratorInteropTests<ApacheServer>(server, curator), IClassFixture<CuratorFixture<ApacheServer>>;

public sealed class ZkAspireLockFaultTests(ZkAspireFaultServer server) : LockFaultTests<ZkAspireFaultServer>(server);

public sealed class ApacheLockFaultTests(ApacheFaultServer server) : LockFaultTests<ApacheFaultServer>(server);

public sealed class ZkAspireLeaderTests(ZkAspireServer server) : LeaderTests<ZkAspireServer>(server);

public sealed class ApacheLeaderTests(ApacheServer server) : LeaderTests<ApacheServer>(server);

public sealed class ZkAspireLeaderFaultTests(ZkAspireFaultServer server) : LeaderFaultTests<ZkAspireFaultServer>(server);

public sealed class ApacheLeaderFaultTests(ApacheFaultServer server) : LeaderFaultTests<ApacheFaultServer>(server);

public sealed class ZkAspireCacheTests(ZkAspireServer server) : CacheTests<ZkAspireServer>(server);

public sealed class ApacheCacheTests(ApacheServer server) : CacheTests<ApacheServer>(server);

public sealed class ZkAspireDiscoveryTests(ZkAspireServer server) : DiscoveryTests<ZkAspireServer>(server);

public sealed class ApacheDiscoveryTests(ApacheServer server) : DiscoveryTests<ApacheServer>(server);

public sealed class ZkAspireBarrierTests(ZkAspireServer server) : BarrierTests<ZkAspireServer>(server);

public sealed class ApacheBarrierTests(ApacheServer server) : BarrierTests<ApacheServer>(server);

public sealed class ZkAspireCounterTests(ZkAspireServer server) : CounterTests<ZkAspireServer>(server);

public sealed class ApacheCounterTests(ApacheServer server) : CounterTests<ApacheServer>(server);
