// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;
using System.Reflection;
using ZkAspire.Recipes.Locks;

namespace ZkAspire.Recipes.Internal;

/// <summary>The recipes' activity source and the spans they start (names in <see cref="ZooKeeperRecipesTelemetry"/>).</summary>
internal static class RecipesInstrumentation
{
    private static readonly string? Version =
        typeof(RecipesInstrumentation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly ActivitySource ActivitySource = new(ZooKeeperRecipesTelemetry.SourceName, Version);

    /// <summary>Starts an acquire span; call from inside the async method, so it is current only there.</summary>
    /// <param name="path">The lock's path.</param>
    /// <param name="kind">The kind of lock.</param>
    /// <returns>The span, or <see langword="null"/> when nobody listens.</returns>
    public static Activity? StartAcquire(string path, string kind)
    {
        var activity = ActivitySource.StartActivity(ZooKeeperRecipesTelemetry.Spans.LockAcquire, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.Path, path);
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.LockKind, kind);
        }

        return activity;
    }

    /// <summary>Records the outcome of an acquire.</summary>
    /// <param name="activity">The span.</param>
    /// <param name="handle">The handle, or <see langword="null"/> when the time ran out.</param>
    /// <param name="reentrant">Whether the owner already held the lock.</param>
    public static void Acquired(Activity? activity, LockHandle? handle, bool reentrant = false)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.LockAcquired, handle is not null);
        if (reentrant)
        {
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.LockReentrant, true);
        }

        if (handle is not null)
        {
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.LockNode, handle.NodePath);
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.FencingToken, handle.FencingToken);
        }
    }

    /// <summary>Records a failure: the OpenTelemetry exception event and an error status.</summary>
    /// <param name="activity">The span.</param>
    /// <param name="failure">The exception.</param>
    public static void Failed(Activity? activity, Exception failure)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("error.type", failure.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        activity.AddException(failure);
    }

    /// <summary>Starts a release span.</summary>
    /// <param name="node">The node released.</param>
    /// <returns>The span, or <see langword="null"/> when nobody listens.</returns>
    public static Activity? StartRelease(string node)
    {
        var activity = ActivitySource.StartActivity(ZooKeeperRecipesTelemetry.Spans.LockRelease, ActivityKind.Internal);
        activity?.SetTag(ZooKeeperRecipesTelemetry.Attributes.LockNode, node);
        return activity;
    }

    /// <summary>Records a leadership change as a span of its own (no parent: elections run in the background).</summary>
    /// <param name="recipe"><c>latch</c> or <c>selector</c>.</param>
    /// <param name="path">The election's path.</param>
    /// <param name="isLeader">Whether the participant leads now.</param>
    public static void LeadershipChanged(string recipe, string path, bool isLeader)
    {
        if (!ActivitySource.HasListeners())
        {
            return;
        }

        using var activity = ActivitySource.StartActivity(ZooKeeperRecipesTelemetry.Spans.LeadershipChange, ActivityKind.Internal, parentContext: default);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.LeaderRecipe, recipe);
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.Path, path);
            activity.SetTag(ZooKeeperRecipesTelemetry.Attributes.IsLeader, isLeader);
        }
    }
}
