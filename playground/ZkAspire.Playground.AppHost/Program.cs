// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using Microsoft.Extensions.Configuration;

// The playground: a ZkAspire ensemble and two ticket-office instances that keep their options, stock, locks and membership in it.
var builder = DistributedApplication.CreateBuilder(args);

// Three replicas (a leader and two followers) by default; --ZooKeeper:Replicas=1 runs one,
// standalone, and 5 or 7 a larger ensemble.
var replicas = builder.Configuration.GetValue("ZooKeeper:Replicas", 3);

var zk = builder.AddZooKeeper("zk")
    .WithReplicas(replicas)
    .WithTickTime(TimeSpan.FromMilliseconds(500));

// Two instances of the ticket office behind one proxied endpoint; they sell under one lock and
// find each other through their ZooKeeper membership.
builder.AddProject<Projects.ZkAspire_Playground_TicketOffice>("ticket-office")
    .WithReplicas(2)
    .WithReference(zk)
    .WaitFor(zk)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
