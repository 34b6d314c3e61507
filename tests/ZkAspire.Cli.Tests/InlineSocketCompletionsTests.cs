// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Diagnostics;

namespace ZkAspire.Cli.Tests;

/// <summary>The zkaspire process's socket-completion switch: set unless the user chose, and kept from the servers it starts.</summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void AnUnsetVariableIsSetToOne()
    {
        var environment = new Dictionary<string, string?>();

        Assert.True(InlineSocketCompletions.Prefer(k => environment.GetValueOrDefault(k), (k, v) => environment[k] = v));
        Assert.Equal("1", environment[InlineSocketCompletions.Variable]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("")]
    public void TheUsersChoiceIsKept(string value)
    {
        var environment = new Dictionary<string, string?> { [InlineSocketCompletions.Variable] = value };

        Assert.False(InlineSocketCompletions.Prefer(k => environment.GetValueOrDefault(k), (k, v) => environment[k] = v));
        Assert.Equal(value, environment[InlineSocketCompletions.Variable]);
    }

    [Fact]
    public void AServerStartedByTheProcessDoesNotInheritTheProcesssOwnSetting()
    {
        var start = new ProcessStartInfo("zkaspire-server");
        start.Environment[InlineSocketCompletions.Variable] = "1";
        InlineSocketCompletions.KeepFrom(start, setByThisProcess: false);
        Assert.Equal("1", start.Environment[InlineSocketCompletions.Variable]);

        InlineSocketCompletions.KeepFrom(start, setByThisProcess: true);
        Assert.False(start.Environment.ContainsKey(InlineSocketCompletions.Variable));
    }
}
