// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Protocol;

namespace ZkAspire.Client;

/// <summary>A node's ACL and Stat, as getACL returns them.</summary>
/// <param name="Acl">The ACL (digest hashes masked when the caller lacks ADMIN).</param>
/// <param name="Stat">The node's Stat.</param>
public sealed record NodeAcl(IReadOnlyList<ACL> Acl, Stat Stat);
