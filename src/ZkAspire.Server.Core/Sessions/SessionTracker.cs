// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Core;

/// <summary>
/// Live sessions and their expiry (ZooKeeper's <c>SessionTrackerImpl</c>): ids handed out from a
/// seed, deadlines kept in tick-rounded buckets, and the closing flag that makes a session refuse
/// further requests once its closeSession txn has been prepped.
/// </summary>
internal sealed class SessionTracker
{
    private readonly Dictionary<long, Session> _sessions = [];
    private readonly ExpiryQueue<Session> _expiry;
    private readonly bool _extendedTypesEnabled;
    private long _nextSessionId;

    /// <summary>Creates the tracker.</summary>
    /// <param name="tickTimeMs">The expiry bucket width.</param>
    /// <param name="firstSessionId">The first id to hand out.</param>
    /// <param name="extendedTypesEnabled">Whether ids that look like TTL markers must be skipped.</param>
    public SessionTracker(int tickTimeMs, long firstSessionId, bool extendedTypesEnabled)
    {
        _expiry = new ExpiryQueue<Session>(tickTimeMs);
        _nextSessionId = firstSessionId;
        _extendedTypesEnabled = extendedTypesEnabled;
    }

    /// <summary>Gets the number of sessions.</summary>
    public int Count => _sessions.Count;

    /// <summary>Gets the sessions.</summary>
    public IReadOnlyCollection<Session> Sessions => _sessions.Values;

    /// <summary>Creates a session and starts its expiry clock.</summary>
    /// <param name="timeoutMs">The negotiated timeout.</param>
    /// <param name="nowMs">The current time.</param>
    /// <returns>The session.</returns>
    public Session CreateSession(int timeoutMs, long nowMs)
    {
        // Ids go up by one from the seed; skip ids ZooKeeper reserves as node-type markers
        // (container, TTL) and, after a wrap, ids still in use.
        var id = _nextSessionId++;
        while (EphemeralOwners.IsReservedSessionId(id, _extendedTypesEnabled) || _sessions.ContainsKey(id))
        {
            id = _nextSessionId++;
        }

        var session = new Session(id, timeoutMs);
        _sessions.Add(id, session);
        _expiry.Update(session, nowMs, timeoutMs);
        return session;
    }

    /// <summary>
    /// Creates a session with an id another server handed out (a leader, for a learner's client):
    /// ids carry the issuing server's id in their top byte, so servers never collide.
    /// </summary>
    /// <param name="sessionId">The id.</param>
    /// <param name="timeoutMs">The negotiated timeout.</param>
    /// <param name="nowMs">The current time.</param>
    /// <returns>The session, or <see langword="null"/> if the id is in use.</returns>
    public Session? CreateSession(long sessionId, int timeoutMs, long nowMs)
    {
        if (_sessions.ContainsKey(sessionId))
        {
            return null;
        }

        var session = new Session(sessionId, timeoutMs);
        _sessions.Add(sessionId, session);
        _expiry.Update(session, nowMs, timeoutMs);
        return session;
    }

    /// <summary>Replaces every session with those of a snapshot the leader sent (SNAP), their deadlines starting now.</summary>
    /// <param name="sessions">The sessions and their timeouts.</param>
    /// <param name="nowMs">The current time.</param>
    public void ReplaceAll(IReadOnlyDictionary<long, int> sessions, long nowMs)
    {
        foreach (var id in new List<long>(_sessions.Keys))
        {
            RemoveSession(id);
        }

        foreach (var (id, timeoutMs) in sessions)
        {
            AddSession(id, timeoutMs, nowMs);
        }
    }

    /// <summary>
    /// Puts the tracker back to the committed state when the server stops serving: sessions whose
    /// createSession never committed go, a close in flight is forgotten (a new leader decides
    /// again), owners are cleared and every deadline starts over from now, as a new leader's
    /// session tracker does.
    /// </summary>
    /// <param name="nowMs">The current time.</param>
    public void ResetToCommitted(long nowMs)
    {
        var uncommitted = new List<long>();
        foreach (var session in _sessions.Values)
        {
            if (!session.IsCommitted)
            {
                uncommitted.Add(session.Id);
                continue;
            }

            session.IsClosing = false;
            session.Claim(0, 0);
            session.Connection = null;
            _expiry.Update(session, nowMs, session.TimeoutMs);
        }

        foreach (var id in uncommitted)
        {
            RemoveSession(id);
        }
    }

    /// <summary>
    /// Adds a session restored from a snapshot or a replayed createSession txn, its deadline
    /// starting now (ZooKeeper's <c>SessionTrackerImpl.addSession</c> at load: a restored session
    /// expires one timeout after the restart unless its client reconnects).
    /// </summary>
    /// <param name="sessionId">The id.</param>
    /// <param name="timeoutMs">The timeout.</param>
    /// <param name="nowMs">The current time.</param>
    public void AddSession(long sessionId, int timeoutMs, long nowMs)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            session = new Session(sessionId, timeoutMs) { IsCommitted = true };
            _sessions.Add(sessionId, session);
        }

        _expiry.Update(session, nowMs, timeoutMs);
    }

    /// <summary>
    /// Puts back a session whose closeSession txn could not be persisted: it is live again and
    /// expires at the next tick, when the expiry is retried.
    /// </summary>
    /// <param name="session">The session.</param>
    /// <param name="nowMs">The current time.</param>
    public void Reopen(Session session, long nowMs)
    {
        session.IsClosing = false;
        if (_sessions.ContainsKey(session.Id))
        {
            _expiry.Update(session, nowMs, 0);
        }
    }

    /// <summary>Finds a session.</summary>
    /// <param name="sessionId">The id.</param>
    /// <returns>The session, or <see langword="null"/>.</returns>
    public Session? Get(long sessionId) => _sessions.GetValueOrDefault(sessionId);

    /// <summary>Refreshes a session's deadline (<c>touchSession</c>).</summary>
    /// <param name="sessionId">The id.</param>
    /// <param name="timeoutMs">The timeout to refresh with.</param>
    /// <param name="nowMs">The current time.</param>
    /// <returns><see langword="false"/> if the session is unknown or closing.</returns>
    public bool TouchSession(long sessionId, int timeoutMs, long nowMs)
    {
        if (!_sessions.TryGetValue(sessionId, out var session) || session.IsClosing)
        {
            return false;
        }

        _expiry.Update(session, nowMs, timeoutMs);
        return true;
    }

    /// <summary>When a session expires unless heard from.</summary>
    /// <param name="session">The session.</param>
    /// <returns>The bucket time, or <see langword="null"/> once it is closing.</returns>
    public long? ExpiryOf(Session session) => _expiry.ExpiryOf(session);

    /// <summary>Marks a session closing: no request of it is accepted from now on.</summary>
    /// <param name="session">The session.</param>
    public void SetClosing(Session session) => session.IsClosing = true;

    /// <summary>Forgets a session (its closeSession txn was applied).</summary>
    /// <param name="sessionId">The id.</param>
    public void RemoveSession(long sessionId)
    {
        if (_sessions.Remove(sessionId, out var session))
        {
            _expiry.Remove(session);
        }
    }

    /// <summary>Takes the sessions whose deadline has passed and marks them closing.</summary>
    /// <param name="nowMs">The current time.</param>
    /// <param name="expired">Receives them, earliest bucket first.</param>
    public void PollExpired(long nowMs, List<Session> expired)
    {
        var first = expired.Count;
        _expiry.Poll(nowMs, expired);
        for (var i = first; i < expired.Count; i++)
        {
            expired[i].IsClosing = true;
        }
    }
}
