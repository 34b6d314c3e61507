// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Server.Configuration;

/// <summary>A configuration that cannot run: a bad value, a missing file, an unsupported mode.</summary>
public sealed class ZooKeeperConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZooKeeperConfigurationException()
        : this("Invalid ZooKeeper configuration.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public ZooKeeperConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ZooKeeperConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a bad value.</summary>
    /// <param name="key">The setting.</param>
    /// <param name="value">The value given.</param>
    /// <param name="rule">What the value must be, e.g. <c>expected an integer</c>.</param>
    /// <param name="source">Where the value came from, e.g. <c>zoo.cfg line 3</c>; <see langword="null"/> if not known.</param>
    public ZooKeeperConfigurationException(string key, string value, string rule, string? source = null)
        : base($"Invalid value '{value}' for '{key}'{(source is null ? string.Empty : $" ({source})")}: {rule}.")
    {
        Key = key;
        Value = value;
    }

    /// <summary>Gets the setting with the bad value, if the problem is a value.</summary>
    public string? Key { get; }

    /// <summary>Gets the bad value, if the problem is a value.</summary>
    public string? Value { get; }
}
