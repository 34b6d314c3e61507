// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Recipes.Discovery;

/// <summary>Turns instances into node data and back (Curator's <c>InstanceSerializer</c>).</summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public interface IInstanceSerializer<TPayload>
{
    /// <summary>Writes an instance.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The node data.</returns>
    byte[] Serialize(ServiceInstance<TPayload> instance);

    /// <summary>Reads an instance.</summary>
    /// <param name="data">The node data.</param>
    /// <returns>The instance.</returns>
    /// <exception cref="FormatException">The data is not an instance.</exception>
    ServiceInstance<TPayload> Deserialize(byte[] data);
}
