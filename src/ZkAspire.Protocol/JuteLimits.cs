// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol;

/// <summary>Size limits of the protocol.</summary>
public static class JuteLimits
{
    /// <summary>ZooKeeper's default <c>jute.maxbuffer</c>: the largest frame, 0xFFFFF bytes.</summary>
    public const int DefaultMaxBuffer = 0xFFFFF;

    /// <summary>
    /// The largest buffer or string a decoder accepts for a given <c>jute.maxbuffer</c>: the
    /// buffer plus <c>jute.maxbuffer.extrasize</c>, which defaults to the buffer size (at least 1024).
    /// </summary>
    /// <param name="maxBuffer">The configured <c>jute.maxbuffer</c>.</param>
    /// <returns>The limit for one field.</returns>
    public static int MaxFieldLength(int maxBuffer) => (int)Math.Min(int.MaxValue, (long)maxBuffer + Math.Max(1024, maxBuffer));
}
