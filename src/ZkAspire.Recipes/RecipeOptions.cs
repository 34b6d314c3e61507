// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes;

/// <summary>Settings shared by the recipes that hold something: locks, leases, leadership.</summary>
public sealed record RecipeOptions
{
    /// <summary>Gets the default settings.</summary>
    public static RecipeOptions Default { get; } = new();

    /// <summary>Gets or sets when a connection problem counts as losing what is held.</summary>
    /// <value>The default value is <see cref="ConnectionErrorPolicy.Standard"/>: Suspended and Lost, at once (as Curator).</value>
    public ConnectionErrorPolicy ErrorPolicy { get; init; } = ConnectionErrorPolicy.Standard;

    /// <summary>Gets or sets the clock of timeouts and grace periods.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
