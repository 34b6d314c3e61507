// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Client.Tests.Infrastructure;

namespace ZkAspire.Client.Tests.Scenarios;

// The client scenarios against ZkAspire's own server: the client must work against both.
public sealed class ZkAspireOperationTests(ZkAspireServerFixture server) : OperationTests<ZkAspireServerFixture>(server);

public sealed class ZkAspireTtlTests(ZkAspireServerWithTtlFixture server) : TtlTests<ZkAspireServerWithTtlFixture>(server);

public sealed class ZkAspireWatchTests(ZkAspireServerFixture server) : WatchTests<ZkAspireServerFixture>(server);

public sealed class ZkAspireConnectionTests(ZkAspireServerFixture server) : ConnectionTests<ZkAspireServerFixture>(server);

public sealed class ZkAspireMultiTests(ZkAspireServerFixture server) : MultiTests<ZkAspireServerFixture>(server);

public sealed class ZkAspireAuthTests(ZkAspireServerFixture server) : AuthTests<ZkAspireServerFixture>(server);

public sealed class ZkAspirePathMappingTests(ZkAspireServerFixture server) : PathMappingTests<ZkAspireServerFixture>(server);

public sealed class ZkAspireRecipeTests(ZkAspireServerWithTtlFixture server) : RecipeTests<ZkAspireServerWithTtlFixture>(server);

public sealed class ZkAspireTelemetryTests(ZkAspireServerFixture server) : TelemetryTests<ZkAspireServerFixture>(server);
