// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZkAspire.Client;
using ZkAspire.Extensions.ServiceDiscovery.Internal;

namespace ZkAspire.Extensions.ServiceDiscovery;

/// <summary>
/// Registers the running host as a member once it has started — after the server, so its
/// listening addresses (and any port 0 it was given) are known — and unregisters it when the host
/// begins to stop, before the server stops taking requests, so callers move away while it drains.
/// </summary>
internal sealed class ZooKeeperMembershipService(
    ZooKeeperMembership membership,
    IOptions<ZooKeeperMembershipOptions> options,
    IHostEnvironment environment,
    IServiceProvider services,
    ILogger<ZooKeeperMembershipService> logger) : IHostedLifecycleService
{
    private static readonly string[] WildcardHosts = ["+", "*", "0.0.0.0", "[::]", "::"];
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    private CancellationTokenSource? _retry;
    private Task? _retrying;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var member = new ZooKeeperMember(
            settings.ServiceName ?? environment.ApplicationName,
            settings.InstanceId ?? Guid.NewGuid().ToString(),
            AdvertisedEndpoints(settings),
            new Dictionary<string, string>(settings.Metadata, StringComparer.Ordinal),
            DateTimeOffset.UtcNow);
        try
        {
            await membership.RegisterAsync(member, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Registered {Member} under {BasePath}.", MemberMapping.Describe(member), membership.BasePath);
        }
        catch (Exception e) when (IsConnectionProblem(e))
        {
            // ZooKeeper is out of reach: the host starts anyway, and registers once it is back.
            logger.LogWarning(e, "Registering {Member} failed; it will be registered when ZooKeeper is reachable.", MemberMapping.Describe(member));
            _retry = new CancellationTokenSource();
            _retrying = RetryAsync(member, _retry.Token);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_retry is not null)
        {
            await _retry.CancelAsync().ConfigureAwait(false);
            await _retrying!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _retry.Dispose();
            _retry = null;
        }

        await membership.UnregisterAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool IsConnectionProblem(Exception e) =>
        e is ConnectionLossException or OperationTimeoutException or SessionExpiredException or SessionMovedException;

    /// <summary>Registers once connected; a failed attempt waits a moment (no busy loop while the connection flaps).</summary>
    private async Task RetryAsync(ZooKeeperMember member, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await membership.Client.WaitUntilConnectedAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
                {
                    await membership.RegisterAsync(member, cancellationToken).ConfigureAwait(false);
                    logger.LogInformation("Registered {Member} under {BasePath}.", MemberMapping.Describe(member), membership.BasePath);
                    return;
                }
            }
            catch (Exception e) when (IsConnectionProblem(e))
            {
                logger.LogDebug(e, "Registering {Member} failed again.", MemberMapping.Describe(member));
            }

            await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
        }
    }

    internal List<Uri> AdvertisedEndpoints(ZooKeeperMembershipOptions settings)
    {
        if (settings.Endpoints.Count > 0)
        {
            return [.. settings.Endpoints];
        }

        IEnumerable<string> addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (!addresses.Any())
        {
            addresses = (services.GetService<IConfiguration>()?["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var endpoints = new List<Uri>();
        foreach (var address in addresses)
        {
            BindingAddress binding;
            try
            {
                binding = BindingAddress.Parse(address);
            }
            catch (FormatException e)
            {
                logger.LogWarning(e, "The listening address {Address} is not advertised.", address);
                continue;
            }

            if (binding.IsUnixPipe || binding.IsNamedPipe || binding.Port == 0)
            {
                // Not dialable from elsewhere, or not bound yet.
                continue;
            }

            var host = WildcardHosts.Contains(binding.Host, StringComparer.Ordinal) ? settings.AdvertisedHost ?? Dns.GetHostName() : binding.Host;
            endpoints.Add(new UriBuilder(binding.Scheme, host, binding.Port).Uri);
        }

        return endpoints;
    }
}
