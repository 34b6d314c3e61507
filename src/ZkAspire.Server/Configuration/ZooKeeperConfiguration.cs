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

    /// <summary>
    /// The environment variable that gives the server id when <c>dataDir</c> has no <c>myid</c>
    /// file; the file is then written with it (as the official ZooKeeper image does with <c>ZOO_MY_ID</c>).
    /// </summary>
    public const string MyIdVariable = "ZKASPIRE_MYID";

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

        configuration.ReadMyId(environment);
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
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && name.Length > EnvironmentPrefix.Length
                && !string.Equals(name, MyIdVariable, StringComparison.OrdinalIgnoreCase))
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
                    : new Setting((_, _, _) => { }, "hierarchical quorums (group and weight) are not supported: every participant has one vote.", Warn: true);
                return true;
            }
        }

        return false;
    }

    private void ReadMyId(IDictionary? environment)
    {
        // ZooKeeper (QuorumPeerConfig.parseProperties) reads <dataDir>/myid in replicated mode
        // and fails without it; we also read it standalone when it is there, so that session ids
        // carry the server id (their top byte), as ZooKeeper's quorum servers do.
        var replicated = Options.IsReplicated;
        var fromEnvironment = environment?[MyIdVariable] as string;
        if (Options.DataDir is not { } dataDir)
        {
            if (replicated)
            {
                throw new ZooKeeperConfigurationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"A replicated ensemble ({Options.Servers.Count} server.N lines) needs a dataDir: the myid file, the epochs and the txn log live there. Set dataDir."));
            }

            return;
        }

        var path = Path.Combine(dataDir, "myid");
        long? fileId = null;
        if (File.Exists(path))
        {
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

            fileId = id;
        }

        long? environmentId = null;
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            if (!long.TryParse(fromEnvironment.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id is < 1 or > 255)
            {
                throw new ZooKeeperConfigurationException("myid", fromEnvironment, "must be a server id from 1 to 255", "environment variable " + MyIdVariable);
            }

            environmentId = id;
        }

        if (fileId is { } f && environmentId is { } v && f != v)
        {
            // The file is the server's identity on disk; a different id would make it another
            // server with this one's epochs and log.
            throw new ZooKeeperConfigurationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{MyIdVariable}={v} contradicts '{path}', which holds {f}. A data directory belongs to one server: fix the variable, or use another dataDir."));
        }

        if (fileId is null && environmentId is { } newId && replicated)
        {
            try
            {
                Directory.CreateDirectory(dataDir);
                File.WriteAllText(path, newId.ToString(CultureInfo.InvariantCulture) + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ZooKeeperConfigurationException($"Cannot write '{path}' from {MyIdVariable}: {e.Message}", e);
            }

            fileId = newId;
        }

        if (fileId is { } serverId)
        {
            Options.ServerId = serverId;
        }
        else if (replicated)
        {
            throw new ZooKeeperConfigurationException(
                $"'{path}' is missing: a member of a replicated ensemble needs its server id there (the N of its server.N line), or in the environment variable {MyIdVariable}.");
        }
    }

    private void Finish()
    {
        if (Options.IsReplicated && Options.GetEnsemble().FirstOrDefault(m => m.Id == Options.ServerId) is { ClientPort: { } linePort } me)
        {
            // ZooKeeper 3.5+ takes the client address from the server line when zoo.cfg has no
            // clientPort (the dynamic configuration form); a clientPort that differs is an error
            // (ZooKeeperServerOptions.Validate).
            if (Options.ClientPort == new ZooKeeperServerOptions().ClientPort)
            {
                Options.ClientPort = linePort;
            }

            if (me.ClientAddress is { } address && Options.ClientPortAddress == new ZooKeeperServerOptions().ClientPortAddress)
            {
                Options.ClientPortAddress = address;
            }
        }

        if (Options.AdminEnableServer)
        {
            _notices.Add(string.Create(CultureInfo.InvariantCulture, $"admin.enableServer: ZkAspire has no AdminServer yet; admin.serverPort={Options.AdminServerPort} is not opened. Use the four-letter words on the client port."));
        }

        Options.Validate();
    }

    private static byte[] ReadSecret(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"cannot read the secret file: {e.Message}");
        }

        // A trailing newline from an editor or `echo` is not part of the secret.
        var text = bytes.AsSpan().TrimEnd("\r\n"u8);
        return text.Length >= 16 ? text.ToArray() : throw new FormatException($"the file holds {text.Length} bytes; a quorum secret needs at least 16");
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
        const string Replicated = "not supported by ZkAspire's ensemble (no dynamic reconfiguration, local sessions, read-only mode or observer masters); the setting is ignored.";
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
            ["standaloneEnabled"] = Bool((o, v) => o.StandaloneEnabled = v),
            ["peerType"] = new Setting((o, _, v) => o.PeerType = v.ToUpperInvariant() switch
            {
                "PARTICIPANT" => Consensus.LearnerType.Participant,
                "OBSERVER" => Consensus.LearnerType.Observer,
                _ => throw new FormatException("expected participant or observer"),
            }),
            ["cnxTimeout"] = Int((o, v) => o.PeerConnectTimeoutMs = v),
            ["commitLogCount"] = Int((o, v) => o.CommitLogCount = v),
            ["zkaspire.quorumSecretFile"] = Text((o, v) => o.QuorumSecret = ReadSecret(v)),
            ["zkaspire.peerMaxFrameBytes"] = Int((o, v) => o.PeerMaxFrameBytes = v),
            ["zkaspire.peerSendQueueBytes"] = Long((o, v) => o.PeerSendQueueBytes = v),
        };

        foreach (var key in new[]
        {
            "electionAlg", "reconfigEnabled", "quorumListenOnAllIPs", "syncEnabled",
            "connectToLearnerMasterLimit", "observerMasterPort", "localSessionsEnabled", "localSessionsUpgradingEnabled",
            "dynamicConfigFile", "electionPortBindRetry", "readonlymode.enabled", "leaderServes",
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
