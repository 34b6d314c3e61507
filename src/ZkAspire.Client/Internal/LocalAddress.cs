// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace ZkAspire.Client.Internal;

/// <summary>
/// The local IP address, which Curator stores as the data of nodes created without data
/// (<c>CuratorFrameworkFactory.getLocalAddress</c>).
/// </summary>
internal static class LocalAddress
{
    private static readonly Lazy<byte[]> Address = new(Find);

    /// <summary>Gets a fresh copy of the UTF-8 of the address, so callers may not alter the shared one.</summary>
    public static byte[] DefaultData => (byte[])Address.Value.Clone();

    private static byte[] Find()
    {
        // Enumerate the interfaces rather than resolving the host name: no DNS lookup when the
        // options are built. The first IPv4 address of an interface that is up and not loopback.
        try
        {
            foreach (var network in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (network.OperationalStatus != OperationalStatus.Up || network.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in network.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(unicast.Address))
                    {
                        return Encoding.UTF8.GetBytes(unicast.Address.ToString());
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
        }

        return Encoding.UTF8.GetBytes(IPAddress.Loopback.ToString());
    }
}
