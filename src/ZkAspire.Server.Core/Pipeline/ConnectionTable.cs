// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>The open connections, and the one way a connection leaves: its watches go and its session is unbound.</summary>
internal sealed class ConnectionTable
{
    private readonly Dictionary<long, ServerConnection> _connections = [];
    private readonly WatchManager _watches;
    private readonly IReplicaOutput _output;

    /// <summary>Creates the table.</summary>
    /// <param name="watches">The watch manager.</param>
    /// <param name="output">Where closes go.</param>
    public ConnectionTable(WatchManager watches, IReplicaOutput output)
    {
        _watches = watches;
        _output = output;
    }

    /// <summary>Gets the connections that got their ConnectResponse with requests waiting behind it.</summary>
    public List<ServerConnection> NewlyEstablished { get; } = [];

    /// <summary>Gets the number of open connections.</summary>
    public int Count => _connections.Count;

    /// <summary>Adds a connection (replacing a stale one with the same id).</summary>
    /// <param name="connection">The connection.</param>
    public void Add(ServerConnection connection)
    {
        if (_connections.Remove(connection.Id, out var stale))
        {
            Remove(stale);
        }

        _connections.Add(connection.Id, connection);
    }

    /// <summary>Finds an open connection.</summary>
    /// <param name="connectionId">The host's id.</param>
    /// <returns>The connection, or <see langword="null"/>.</returns>
    public ServerConnection? Get(long connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>Closes a connection from the server side: the host is told, then it is forgotten.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="reason">Why, for the log.</param>
    public void Close(ServerConnection connection, string reason)
    {
        if (connection.IsClosed)
        {
            return;
        }

        Remove(connection);
        _output.Close(connection.Id, reason);
    }

    /// <summary>Closes every connection (the server stopped serving: clients find another server).</summary>
    /// <param name="reason">Why, for the log.</param>
    public void CloseAll(string reason)
    {
        var all = new List<ServerConnection>(_connections.Values);
        all.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var connection in all)
        {
            Close(connection, reason);
        }
    }

    /// <summary>Gets the open connections.</summary>
    public IEnumerable<ServerConnection> All => _connections.Values;

    /// <summary>Marks a connection established once its ConnectResponse is sent.</summary>
    /// <param name="connection">The connection.</param>
    public void Establish(ServerConnection connection)
    {
        connection.Established = true;
        if (connection.Deferred is { Count: > 0 })
        {
            NewlyEstablished.Add(connection);
        }
    }

    /// <summary>Forgets a connection the host reports gone, or one being closed (§16: watches go, the session stays).</summary>
    /// <param name="connection">The connection.</param>
    public void Remove(ServerConnection connection)
    {
        connection.IsClosed = true;
        if (_connections.TryGetValue(connection.Id, out var current) && ReferenceEquals(current, connection))
        {
            _connections.Remove(connection.Id);
        }

        _watches.RemoveConnection(connection);
        if (connection.Session is { } session && ReferenceEquals(session.Connection, connection))
        {
            session.Connection = null;
        }
    }
}
