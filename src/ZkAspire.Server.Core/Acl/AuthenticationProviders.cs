// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// The schemes this server knows (ZooKeeper's <c>ProviderRegistry</c> with its defaults): <c>ip</c>
/// and <c>digest</c>. <c>world</c> and <c>auth</c> are handled by the ACL rules themselves, and
/// <c>super</c> has no provider (it is only ever an identity).
/// </summary>
internal sealed class AuthenticationProviders
{
    private readonly Dictionary<string, IAuthenticationProvider> _providers = new(StringComparer.Ordinal);

    /// <summary>Creates the registry.</summary>
    /// <param name="superDigest">The super user digest, or <see langword="null"/>.</param>
    public AuthenticationProviders(string? superDigest)
    {
        Add(new IpAuthenticationProvider());
        Add(new DigestAuthenticationProvider(superDigest));
    }

    /// <summary>Finds the provider of a scheme.</summary>
    /// <param name="scheme">The scheme.</param>
    /// <returns>The provider, or <see langword="null"/> for an unknown scheme.</returns>
    public IAuthenticationProvider? Get(string? scheme) =>
        scheme is not null && _providers.TryGetValue(scheme, out var provider) ? provider : null;

    private void Add(IAuthenticationProvider provider) => _providers.Add(provider.Scheme, provider);
}
