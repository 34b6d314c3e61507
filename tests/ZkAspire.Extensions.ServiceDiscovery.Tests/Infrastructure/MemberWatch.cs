// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using static ZkAspire.TestInfrastructure.Contract.TestHelpers;

using ZkAspire.TestInfrastructure.Contract;

namespace ZkAspire.Extensions.ServiceDiscovery.Tests.Infrastructure;

/// <summary>Follows one service's members through <see cref="IZooKeeperMembership.MembersChanged"/> and waits for a state.</summary>
public sealed class MemberWatch : IDisposable
{
    private readonly IZooKeeperMembership _membership;
    private readonly string _serviceName;
    private readonly Lock _gate = new();
    private readonly List<(Func<IReadOnlyList<ZooKeeperMember>, bool> Condition, TaskCompletionSource<IReadOnlyList<ZooKeeperMember>> Done)> _waiters = [];
    private IReadOnlyList<ZooKeeperMember> _current = [];

    private MemberWatch(IZooKeeperMembership membership, string serviceName)
    {
        _membership = membership;
        _serviceName = serviceName;
        membership.MembersChanged += OnChanged;
    }

    /// <summary>Gets how many change events arrived.</summary>
    public int Events { get; private set; }

    /// <summary>Starts following a service (reads its members first).</summary>
    public static async Task<MemberWatch> StartAsync(IZooKeeperMembership membership, string serviceName)
    {
        var watch = new MemberWatch(membership, serviceName);
        var members = await membership.GetMembersAsync(serviceName, Ct);
        lock (watch._gate)
        {
            if (watch.Events == 0)
            {
                watch._current = members;
            }
        }

        return watch;
    }

    /// <summary>Waits until the members satisfy a condition (checked now and after every event).</summary>
    public Task<IReadOnlyList<ZooKeeperMember>> WaitForAsync(Func<IReadOnlyList<ZooKeeperMember>, bool> condition)
    {
        var done = new TaskCompletionSource<IReadOnlyList<ZooKeeperMember>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_current))
            {
                return Task.FromResult(_current);
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(Patience, Ct);
    }

    /// <inheritdoc/>
    public void Dispose() => _membership.MembersChanged -= OnChanged;

    private void OnChanged(object? sender, ZooKeeperMembersChangedEventArgs e)
    {
        if (e.ServiceName != _serviceName)
        {
            return;
        }

        lock (_gate)
        {
            Events++;
            _current = e.Members;
            foreach (var waiter in _waiters.Where(w => w.Condition(e.Members)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(e.Members);
            }
        }
    }
}
