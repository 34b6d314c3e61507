// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Extensions.ServiceDiscovery.Internal;

/// <summary>
/// The payload of a member's instance JSON: every endpoint (Curator's instance has room for one
/// address with one port and one SSL port) and the metadata. A Java reader whose payload type is
/// <c>Map</c> reads it as <c>{"endpoints":[…],"metadata":{…}}</c>.
/// </summary>
internal sealed class MemberPayload
{
    /// <summary>Gets or sets the endpoints as absolute URIs.</summary>
    public List<string>? Endpoints { get; set; }

    /// <summary>Gets or sets the metadata.</summary>
    public Dictionary<string, string>? Metadata { get; set; }
}
