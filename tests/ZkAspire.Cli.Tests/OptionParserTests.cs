// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell;
using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Tests;

/// <summary>The commons-cli 1.5 DefaultParser behaviours zkCli's commands inherit, each checked against zkCli 3.8.</summary>
public sealed class OptionParserTests
{
    private static readonly OptionSet Options = new OptionSet()
        .Add("s", false, "stats")
        .Add("w", false, "watch")
        .Add("v", true, "version");

    [Fact]
    public void OptionsMayComeBeforeOrAfterThePath()
    {
        var parsed = OptionParser.Parse(Options, ["get", "/a", "-s", "-v", "3"]);
        Assert.Equal(["get", "/a"], parsed.Args);
        Assert.True(parsed.Has("s"));
        Assert.False(parsed.Has("w"));
        Assert.Equal("3", parsed.Value("v"));
    }

    [Theory]
    [InlineData("-sw")]
    [InlineData("-ws")]
    public void FlagsMayBeBundled(string token)
    {
        var parsed = OptionParser.Parse(Options, ["ls", token, "/"]);
        Assert.True(parsed.Has("s") && parsed.Has("w"));
        Assert.Equal(["ls", "/"], parsed.Args);
    }

    [Theory]
    [InlineData("-v7", "7")]
    [InlineData("-v=7", "7")]
    [InlineData("-sv7", "7")]
    public void AValueMayBeAttached(string token, string value) =>
        Assert.Equal(value, OptionParser.Parse(Options, ["set", token, "/a", "x"]).Value("v"));

    [Fact]
    public void AValueMayLookNegative() =>
        Assert.Equal("-1", OptionParser.Parse(Options, ["set", "-v", "-1", "/a", "x"]).Value("v"));

    [Fact]
    public void AQuotedValueLosesItsQuotes() =>
        Assert.Equal("5", OptionParser.Parse(Options, ["set", "-v", "\"5\"", "/a", "x"]).Value("v"));

    [Fact]
    public void TheFirstOccurrenceWins() =>
        Assert.Equal("1", OptionParser.Parse(Options, ["set", "-v", "1", "-v", "2", "/a", "x"]).Value("v"));

    [Fact]
    public void DoubleDashEndsTheOptions() =>
        Assert.Equal(["ls", "-x", "-s"], OptionParser.Parse(Options, ["ls", "--", "-x", "-s"]).Args);

    [Fact]
    public void ALoneDashIsAnArgument() =>
        Assert.Equal(["set", "/a", "-"], OptionParser.Parse(Options, ["set", "/a", "-"]).Args);

    [Theory]
    [InlineData("-x", "Unrecognized option: -x")]
    [InlineData("-sx", "Unrecognized option: -sx")]
    [InlineData("-1", "Unrecognized option: -1")]
    [InlineData("--foo", "Unrecognized option: --foo")]
    [InlineData("--s", "Unrecognized option: --s")]
    [InlineData("-s=1", "Unrecognized option: -s=1")]
    [InlineData("-vv=1", "Unrecognized option: -vv=1")]
    [InlineData("-sv=7", "Unrecognized option: -sv=7")]
    public void AnUnknownOptionFailsWithCommonsCliText(string token, string message)
    {
        var e = Assert.Throws<CliException>(() => OptionParser.Parse(Options, ["set", "/a", token]));
        Assert.Equal("org.apache.commons.cli.UnrecognizedOptionException: " + message, e.Message);
        Assert.Equal(1, e.ExitCode);
    }

    [Theory]
    [InlineData("set", "-v")]
    [InlineData("set", "-v", "-s")]
    [InlineData("set", "-v", "--", "1")]
    public void AMissingValueFailsWithCommonsCliText(params string[] tokens)
    {
        var e = Assert.Throws<CliException>(() => OptionParser.Parse(Options, tokens));
        Assert.Equal("org.apache.commons.cli.MissingArgumentException: Missing argument for option: v", e.Message);
    }
}
