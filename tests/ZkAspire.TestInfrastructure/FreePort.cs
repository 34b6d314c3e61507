// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.Sockets;

namespace ZkAspire.TestInfrastructure;

/// <summary>Free TCP ports on 127.0.0.1.</summary>
public static class FreePort
{
    /// <summary>Asks the OS for a free port on loopback.</summary>
    /// <returns>A port that was free a moment ago.</returns>
    public static int Get()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
