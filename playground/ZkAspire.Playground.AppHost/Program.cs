// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;

// The playground: a ZkAspire ensemble and a ticket office that keeps its options and stock in it.
var builder = DistributedApplication.CreateBuilder(args);

// Replicated mode is being wired into zkaspire-server (issue 4); until it lands the server runs
// one replica, standalone. Run with --ZooKeeper:Replicas=3 to try a three-replica ensemble.
var replicas = builder.Configuration.GetValue("ZooKeeper:Replicas", 1);

var zk = builder.AddZooKeeper("zk")
    .WithReplicas(replicas)
    .WithTickTime(TimeSpan.FromMilliseconds(500));

builder.AddProject<Projects.ZkAspire_Playground_TicketOffice>("ticket-office")
    .WithReference(zk)
    .WaitFor(zk)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
