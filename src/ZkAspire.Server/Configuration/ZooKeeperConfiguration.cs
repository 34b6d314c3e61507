// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Collections;
using System.Globalization;

namespace ZkAspire.Server.Configuration;

/// <summary>
/// A server configuration read from a zoo.cfg file, the environment and <c>key=value</c> arguments,
/// in that order of increasing precedence: the command line beats the environment, which beats the file.
/// </summary>
/// <remarks>
/// <para>
/// The file uses the Java properties syntax ZooKeeper reads (<c>key=value</c>, <c>key: value</c>,
/// <c>#</c> and <c>!</c> comments). Keys are ZooKeeper's and are case-sensitive, as there. A key
/// that ZooKeeper reads as a system property may carry its <c>zookeeper.</c> prefix or not
/// (<c>extendedTypesEnabled</c> and <c>zookeeper.extendedTypesEnabled</c> are the same setting),
/// because ZooKeeper turns every zoo.cfg key it does not know into the system property
/// <c>zookeeper.&lt;key&gt;</c>.
/// </para>
/// <para>
/// Environment variables named <c>ZKASPIRE_&lt;key&gt;</c> override the file. The key may be
/// written as in zoo.cfg (<c>ZKASPIRE_clientPort</c>) or in the shell-friendly upper-case form
/// with dots as underscores (<c>ZKASPIRE_CLIENTPORT</c>, <c>ZKASPIRE_4LW_COMMANDS_WHITELIST</c>,
/// <c>ZKASPIRE_SERVER_1</c>): the match ignores case and treats <c>.</c> and <c>_</c> alike.
/// </para>
/// <para>
/// Unknown keys are reported in <see cref="Warnings"/> and otherwise ignored (ZooKeeper accepts
/// them silently). Settings that are accepted but have no effect yet are reported in
/// <see cref="Notices"/>. A bad value throws <see cref="ZooKeeperConfigurationException"/> naming
/// the key, the value and where it came from.
/// </para>
/// </remarks>
public sealed class ZooKeeperConfiguration
{
    /// <summary>The prefix of environment variables that override settings.</summary>
    public const string EnvironmentPrefix = "ZKASPIRE_";

    private const string ZooKeeperPrefix = "zookeeper.";

    private static readonly Dictionary<string, Setting> Settings = BuildSettings();

    private readonly List<string> _warnings = [];
    private readonly List<string> _notices = [];

    private ZooKeeperConfiguration(string? configPath)
    {
        ConfigPath = configPath;
    }

    /// <summary>Gets the options the configuration makes.</summary>
    public ZooKeeperServerOptions Options { get; } = new();

    /// <summary>Gets the path of the zoo.cfg read, if any.</summary>
    public string? ConfigPath { get; }

    /// <summary>Gets the unknown or unsupported settings, one message each.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Gets the settings accepted with no effect yet, one message each.</summary>
    public IReadOnlyList<string> Notices => _notices;

    /// <summary>
    /// Reads the program's arguments, <c>[path/to/zoo.cfg] [key=value ...]</c>, and the environment.
    /// </summary>
    /// <param name="args">The arguments.</param>
    /// <param name="environment">The environment variables; <see langword="null"/> for the process's.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ZooKeeperConfigurationException">An argument, a file or a value is bad.</exception>
    public static ZooKeeperConfiguration FromArguments(IReadOnlyList<string> args, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? path = null;
        var overrides = args;
        if (args.Count > 0 && !args[0].Contains('=', StringComparison.Ordinal))
        {
            path = args[0];
            overrides = args.Skip(1).ToList();
        }

        return Load(path, overrides, environment ?? Environment.GetEnvironmentVariables());
    }

    /// <summary>Reads a zoo.cfg (optional), then the environment, then <c>key=value</c> overrides.</summary>
    /// <param name="configPath">The zoo.cfg, or <see langword="null"/> for none (defaults only).</param>
    /// <param name="overrides"><c>key=value</c> strings, e.g. from the command line.</param>
    /// <param name="environment">Environment variables; only <c>ZKASPIRE_*</c> ones are read. <see langword="null"/> for none.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ZooKeeperConfigurationException">A file or a value is bad.</exception>
    public static ZooKeeperConfiguration Load(string? configPath, IEnumerable<string>? overrides = null, IDictionary? environment = null)
    {
        var configuration = new ZooKeeperConfiguration(configPath);
        if (configPath is not null)
        {
            configuration.ApplyFile(configPath);
        }

        if (environment is not null)
        {
            configuration.ApplyEnvironment(environment);
        }

        foreach (var argument in overrides ?? [])
        {
            var separator = argument.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new ZooKeeperConfigurationException($"Unexpected argument '{argument}': settings on the command line are written key=value, after the path of the zoo.cfg.");
            }

            configuration.Apply(argument[..separator].Trim(), argument[(separator + 1)..].Trim(), "command line", exactKey: true);
        }

        configuration.ReadMyId();
        configuration.Finish();
        return configuration;
    }

    private void ApplyFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // ZooKeeper: "Error processing <path>" wrapping the IO error.
            throw new ZooKeeperConfigurationException($"Cannot read the configuration file '{path}': {e.Message}", e);
        }

        IReadOnlyList<(string Key, string Value, int Line)> entries;
        try
        {
            entries = JavaProperties.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ZooKeeperConfigurationException($"Cannot parse the configuration file '{path}': {e.Message}", e);
        }

        var name = Path.GetFileName(path);
        foreach (var (key, value, line) in entries)
        {
            Apply(key, value, string.Create(CultureInfo.InvariantCulture, $"{name} line {line}"), exactKey: true);
        }
    }

    private void ApplyEnvironment(IDictionary environment)
    {
        // Sorted so that warnings come out in a stable order.
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && name.Length > EnvironmentPrefix.Length)
            {
                variables[name] = entry.Value as string ?? string.Empty;
            }
        }

        foreach (var (name, value) in variables)
        {
            Apply(name[EnvironmentPrefix.Length..], value.Trim(), "environment variable " + name, exactKey: false);
        }
    }

    private void Apply(string key, string value, string source, bool exactKey)
    {
        if (TryResolve(key, exactKey, out var setting, out var canonical))
        {
            try
            {
                setting.Apply(Options, canonical, value);
            }
            catch (FormatException e)
            {
                throw new ZooKeeperConfigurationException(canonical, value, e.Message, source);
            }

            if (setting.Note is { } note && !_notices.Exists(n => n.StartsWith(canonical + ":", StringComparison.Ordinal))
                && !_warnings.Exists(n => n.StartsWith(canonical + ":", StringComparison.Ordinal)))
            {
                (setting.Warn ? _warnings : _notices).Add($"{canonical}: {note}");
            }

            return;
        }

        var hint = exactKey && TryResolve(key, exactKey: false, out _, out var similar) ? $" (did you mean '{similar}'? keys are case-sensitive)" : string.Empty;
        _warnings.Add($"Unknown setting '{key}' ({source}) is ignored{hint}.");
    }

    private static bool TryResolve(string key, bool exactKey, out Setting setting, out string canonical)
    {
        canonical = key;
        if (exactKey)
        {
            if (Settings.TryGetValue(key, out setting!))
            {
                return true;
            }

            // ZooKeeper reads keys it does not know from zoo.cfg as system properties named
            // "zookeeper.<key>", so both spellings of those settings are in use.
            if (key.StartsWith(ZooKeeperPrefix, StringComparison.Ordinal) && Settings.TryGetValue(key[ZooKeeperPrefix.Length..], out setting!))
            {
                canonical = key[ZooKeeperPrefix.Length..];
                return true;
            }

            if (TryResolveIndexed(key, out setting!, out canonical))
            {
                return true;
            }

            setting = null!;
            return false;
        }

        var normalized = Normalize(key);
        foreach (var (name, candidate) in Settings)
        {
            if (Normalize(name) == normalized || Normalize(ZooKeeperPrefix + name) == normalized)
            {
                setting = candidate;
                canonical = name;
                return true;
            }
        }

        foreach (var prefix in IndexedPrefixes)
        {
            var normalizedPrefix = Normalize(prefix);
            if (normalized.StartsWith(normalizedPrefix, StringComparison.Ordinal)
                && TryResolveIndexed(prefix + key[prefix.Length..], out setting!, out canonical))
            {
                return true;
            }
        }

        setting = null!;
        return false;
    }

    private static string Normalize(string key) => key.Replace('_', '.').ToUpperInvariant();

    private static readonly string[] IndexedPrefixes = ["server.", "group.", "weight."];

    private static bool TryResolveIndexed(string key, out Setting setting, out string canonical)
    {
        canonical = key;
        setting = null!;
        foreach (var prefix in IndexedPrefixes)
        {
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return false;
                }

                canonical = prefix + id.ToString(CultureInfo.InvariantCulture);
                setting = prefix == "server."
                    ? new Setting((o, k, v) => o.Servers[id] = RequireText(v))
                    : new Setting((_, _, _) => { }, "group and weight settings are used in replicated mode, which is not supported yet.");
                return true;
            }
        }

        return false;
    }

    private void ReadMyId()
    {
        // ZooKeeper reads <dataDir>/myid in replicated mode; we read it whenever it is there so
        // that session ids carry the server id (their top byte), as ZooKeeper's quorum servers do.
        if (Options.DataDir is not { } dataDir)
        {
            return;
        }

        var path = Path.Combine(dataDir, "myid");
        if (!File.Exists(path))
        {
            return;
        }

        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZooKeeperConfigurationException($"Cannot read '{path}': {e.Message}", e);
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw new ZooKeeperConfigurationException("myid", text, $"'{path}' must hold the server id, a number", path);
        }

        Options.ServerId = id;
    }

    private void Finish()
    {
        if (Options.Servers.Count > 1)
        {
            throw new ZooKeeperConfigurationException(string.Create(
                CultureInfo.InvariantCulture,
                $"Replicated mode ({Options.Servers.Count} server.N lines: {string.Join(", ", Options.Servers.Keys.Select(k => "server." + k.ToString(CultureInfo.InvariantCulture)))}) is not supported yet; this server runs standalone only. Remove the server.N lines, or keep one."));
        }

        if (Options.AdminEnableServer)
        {
            _notices.Add(string.Create(CultureInfo.InvariantCulture, $"admin.enableServer: ZkAspire has no AdminServer yet; admin.serverPort={Options.AdminServerPort} is not opened. Use the four-letter words on the client port."));
        }

        Options.Validate();
    }

    private static string RequireText(string value) =>
        value.Length == 0 ? throw new FormatException("must not be empty") : value;

    private static int ParseInt(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new FormatException("expected an integer");

    private static long ParseLong(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new FormatException("expected an integer");

    private static bool ParseBool(string value) => value.ToUpperInvariant() switch
    {
        "TRUE" or "YES" => true,
        "FALSE" or "NO" => false,
        _ => throw new FormatException("expected yes or no (or true or false)"),
    };

    private static HashSet<string> ParseWhitelist(string value)
    {
        var commands = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part != "*" && !Protocol.FourLetterWords.All.Contains(part))
            {
                throw new FormatException($"'{part}' is not a four-letter word; known are * and {string.Join(", ", Protocol.FourLetterWords.All)}");
            }

            commands.Add(part);
        }

        return commands;
    }

    private static Dictionary<string, Setting> BuildSettings()
    {
        const string Replicated = "used in replicated mode, which is not supported yet.";
        const string NoEffect = "accepted for compatibility; it has no effect in ZkAspire.";
        const string NotSupported = "not supported by ZkAspire yet; the setting is ignored.";

        var settings = new Dictionary<string, Setting>(StringComparer.Ordinal)
        {
            ["tickTime"] = Int((o, v) => o.TickTimeMs = v),
            ["dataDir"] = Text((o, v) => o.DataDir = v),
            ["dataLogDir"] = Text((o, v) => o.DataLogDir = v),
            ["clientPort"] = Int((o, v) => o.ClientPort = v),
            ["clientPortAddress"] = Text((o, v) => o.ClientPortAddress = v),
            ["maxClientCnxns"] = Int((o, v) => o.MaxClientCnxns = v),
            ["maxCnxns"] = Int((o, v) => o.MaxCnxns = v),
            ["minSessionTimeout"] = Int((o, v) => o.MinSessionTimeoutMs = v),
            ["maxSessionTimeout"] = Int((o, v) => o.MaxSessionTimeoutMs = v),
            ["clientPortListenBacklog"] = Int((o, v) => o.ClientPortListenBacklog = v),
            ["4lw.commands.whitelist"] = new Setting((o, _, v) => o.FourLetterWordWhitelist = ParseWhitelist(v)),
            ["extendedTypesEnabled"] = Bool((o, v) => o.ExtendedTypesEnabled = v),
            ["jute.maxbuffer"] = Int((o, v) => o.JuteMaxBuffer = v),
            ["globalOutstandingLimit"] = Int((o, v) => o.GlobalOutstandingLimit = v),
            ["DigestAuthenticationProvider.superDigest"] = Text((o, v) => o.SuperDigest = v),
            ["superDigest"] = Text((o, v) => o.SuperDigest = v),
            ["znode.container.checkIntervalMs"] = Int((o, v) => o.ContainerCheckIntervalMs = v),
            ["initLimit"] = Int((o, v) => o.InitLimit = v),
            ["syncLimit"] = Int((o, v) => o.SyncLimit = v),
            ["snapCount"] = Int((o, v) => o.SnapCount = v),
            ["autopurge.snapRetainCount"] = Int((o, v) => o.AutopurgeSnapRetainCount = v),
            ["autopurge.purgeInterval"] = Int((o, v) => o.AutopurgePurgeIntervalHours = v),
            ["forceSync"] = Bool((o, v) => o.ForceSync = v),
            ["preAllocSize"] = Long((o, v) => o.PreAllocSizeKb = v),
            ["snapSizeLimitInKb"] = Long((o, v) => o.SnapSizeLimitInKb = v),
            ["txnLogSizeLimitInKb"] = Long((o, v) => o.TxnLogSizeLimitInKb = v),
            ["admin.enableServer"] = Bool((o, v) => o.AdminEnableServer = v),
            ["admin.serverPort"] = Int((o, v) => o.AdminServerPort = v),
            ["nio.sessionlessCnxnTimeout"] = Int((o, v) => o.SessionlessConnectionTimeoutMs = v),
            ["zkaspire.outputBufferSoftLimit"] = Int((o, v) => o.OutputBufferSoftLimitBytes = v),
            ["zkaspire.outputBufferHardLimit"] = Int((o, v) => o.OutputBufferHardLimitBytes = v),
            ["zkaspire.traceContext"] = Bool((o, v) => o.AcceptTraceContext = v),
        };

        foreach (var key in new[]
        {
            "electionAlg", "peerType", "standaloneEnabled", "reconfigEnabled", "quorumListenOnAllIPs", "syncEnabled",
            "connectToLearnerMasterLimit", "observerMasterPort", "localSessionsEnabled", "localSessionsUpgradingEnabled",
            "dynamicConfigFile", "cnxTimeout", "electionPortBindRetry", "readonlymode.enabled", "leaderServes",
            "multiAddress.enabled", "multiAddress.reachabilityCheckEnabled", "multiAddress.reachabilityCheckTimeoutMs",
        })
        {
            settings[key] = new Setting((_, _, _) => { }, Replicated);
        }

        foreach (var key in new[]
        {
            "admin.serverAddress", "admin.idleTimeout", "admin.commandURL", "admin.portUnification", "audit.enable",
            "metricsProvider.className", "metricsProvider.httpPort", "metricsProvider.exportJvmInfo", "digest.enabled",
            "znode.container.maxPerMinute", "znode.container.maxNeverUsedIntervalMs", "maxResponseCacheSize",
            "maxGetChildrenResponseCacheSize", "serverCnxnFactory", "jute.maxbuffer.extrasize", "nio.numSelectorThreads",
            "nio.numWorkerThreads", "nio.directBufferBytes", "nio.shutdownTimeout", "netty.server.outstandingHandshake.limit",
            "request_throttle_max_requests", "request_throttle_stall_time", "request_throttle_drop_stale",
            "flushDelay", "maxWriteQueuePollTime", "maxBatchSize", "commitProcessor.maxReadBatchSize",
            "commitProcessor.maxCommitBatchSize", "watchManagerName", "connection_throttle_tokens",
            "connection_throttle_fill_time", "connection_throttle_fill_count", "connection_throttle_freeze_time",
            "connection_throttle_drop_increase", "connection_throttle_drop_decrease", "connection_throttle_decrease_ratio",
            "connection_throttle_weight_enabled", "closeSessionTxn.enabled", "enforceQuota",

            // Persistence knobs of ZooKeeper's own file formats; ours has its own rules
            // (docs/storage-format.md: recovery trusts a log that starts at zxid 1, snapshots are
            // not compressed).
            "fsync.warningthresholdms", "snapshot.trust.empty", "snapshot.compression.method", "txnLogFactory",
        })
        {
            settings[key] = new Setting((_, _, _) => { }, NoEffect);
        }

        foreach (var key in new[]
        {
            "secureClientPort", "secureClientPortAddress", "client.secure", "sslQuorum", "portUnification",
            "clientPortUnification", "sslQuorumReloadCertFiles", "sessionRequireClientSASLAuth", "enforce.auth.enabled",
            "enforce.auth.schemes", "skipACL", "emulate353TTLNodes", "authProvider.1", "authProvider.2", "authProvider.3",
            "ssl.keyStore.location", "ssl.keyStore.password", "ssl.trustStore.location", "ssl.trustStore.password",
            "ssl.clientAuth", "quorum.auth.enableSasl", "quorum.auth.learnerRequireSasl", "quorum.auth.serverRequireSasl",
            "quorum.auth.learner.saslLoginContext", "quorum.auth.server.saslLoginContext", "quorum.auth.kerberos.servicePrincipal",
            "quorum.cnxn.threads.size", "X509AuthenticationProvider.superUser",
        })
        {
            settings[key] = new Setting((_, _, _) => { }, NotSupported, Warn: true);
        }

        return settings;

        static Setting Int(Action<ZooKeeperServerOptions, int> apply, string? note = null) => new((o, _, v) => apply(o, ParseInt(v)), note);

        static Setting Long(Action<ZooKeeperServerOptions, long> apply) => new((o, _, v) => apply(o, ParseLong(v)));

        static Setting Bool(Action<ZooKeeperServerOptions, bool> apply, string? note = null) => new((o, _, v) => apply(o, ParseBool(v)), note);

        static Setting Text(Action<ZooKeeperServerOptions, string> apply) => new((o, _, v) => apply(o, RequireText(v)));
    }

    private sealed record Setting(Action<ZooKeeperServerOptions, string, string> Apply, string? Note = null, bool Warn = false);
}
