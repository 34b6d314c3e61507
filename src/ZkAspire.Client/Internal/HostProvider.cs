// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;

namespace ZkAspire.Client.Internal;

/// <summary>
/// The servers to try, shuffled once and then taken round-robin (the Java client's
/// <c>StaticHostProvider</c>). Names are resolved at each connect, so DNS changes are followed.
/// </summary>
internal sealed class HostProvider
{
    private readonly DnsEndPoint[] _hosts;
    private int _current = -1;
    private int _lastConnected = -1;

    public HostProvider(IReadOnlyList<DnsEndPoint> hosts, Random random)
    {
        _hosts = [.. hosts];
        random.Shuffle(_hosts);
    }

    /// <summary>Gets how many servers there are.</summary>
    public int Count => _hosts.Length;

    /// <summary>Moves to the next server.</summary>
    /// <param name="cycled">
    /// Whether every server has been tried since the last successful connection; the Java client
    /// then waits a spin delay before trying again.
    /// </param>
    /// <returns>The server.</returns>
    public DnsEndPoint Next(out bool cycled)
    {
        _current = (_current + 1) % _hosts.Length;
        cycled = _current == _lastConnected;
        if (_lastConnected < 0)
        {
            _lastConnected = 0;
        }

        return _hosts[_current];
    }

    /// <summary>Notes that the current server accepted the session.</summary>
    public void OnConnected() => _lastConnected = _current;

    /// <summary>Makes a server the next one <see cref="Next"/> returns (a read-write server found while read-only).</summary>
    /// <param name="server">The server.</param>
    public void PreferNext(DnsEndPoint server)
    {
        var index = Array.IndexOf(_hosts, server);
        if (index >= 0)
        {
            _current = (index - 1 + _hosts.Length) % _hosts.Length;
        }
    }

    /// <summary>The servers other than <paramref name="current"/>, in rotation order after it.</summary>
    /// <param name="current">The server connected to.</param>
    /// <returns>The others.</returns>
    public IEnumerable<DnsEndPoint> Others(DnsEndPoint current)
    {
        var index = Array.IndexOf(_hosts, current);
        for (var i = 1; i < _hosts.Length; i++)
        {
            yield return _hosts[(index + i + _hosts.Length) % _hosts.Length];
        }
    }
}
