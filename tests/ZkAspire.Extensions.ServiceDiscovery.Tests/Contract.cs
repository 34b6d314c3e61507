// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;
using ZkAspire.TestInfrastructure.Contract;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests;

// Every scenario runs against ZkAspire's server and against Apache ZooKeeper 3.8.
public sealed class ZkAspireMembershipTests(ZkAspireServer server) : MembershipTests<ZkAspireServer>(server);

public sealed class ApacheMembershipTests(ApacheServer server) : MembershipTests<ApacheServer>(server);

public sealed class ZkAspireEndpointProviderTests(ZkAspireServer server) : EndpointProviderTests<ZkAspireServer>(server);

public sealed class ApacheEndpointProviderTests(ApacheServer server) : EndpointProviderTests<ApacheServer>(server);
