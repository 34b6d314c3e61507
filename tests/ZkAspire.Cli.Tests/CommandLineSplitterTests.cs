// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell.Parsing;

namespace ZkAspire.Cli.Tests;

/// <summary>How an interactive line becomes words: zkCli's ARGS_PATTERN, quirks included.</summary>
public sealed class CommandLineSplitterTests
{
    [Theory]
    [InlineData("ls /", new[] { "ls", "/" })]
    [InlineData("  ls   /a  ", new[] { "ls", "/a" })]
    [InlineData("\tls\t/a", new[] { "ls", "/a" })]
    [InlineData("set /a \"hello world\"", new[] { "set", "/a", "hello world" })]
    [InlineData("set /a 'hello world'", new[] { "set", "/a", "hello world" })]
    [InlineData("set /a \"\"", new[] { "set", "/a", "" })]
    [InlineData("set /a 'it''s'", new[] { "set", "/a", "it", "s" })]
    [InlineData("set /a \"it's\"", new[] { "set", "/a", "it's" })]
    [InlineData("set /a a\"b c\"", new[] { "set", "/a", "a\"b", "c\"" })]
    [InlineData("set /a \"unclosed x", new[] { "set", "/a", "unclosed", "x" })]
    [InlineData("create /u héllo", new[] { "create", "/u", "héllo" })]
    public void SplitsAsZkCliDoes(string line, string[] words) =>
        Assert.Equal(words, CommandLineSplitter.Split(line));

    [Fact]
    public void ABlankLineIsOneBlankWord() =>

        // [^"'] matches a blank too, so zkCli reads "   " as the command " " (and says so).
        Assert.Equal([" "], CommandLineSplitter.Split("   "));

    [Fact]
    public void ALoneQuoteIsNoWord() => Assert.Empty(CommandLineSplitter.Split("\""));

    [Fact]
    public void UnicodeSpacesAreNotBlanks() =>

        // Java's \s is ASCII only.
        Assert.Equal(["a\u00a0b"], CommandLineSplitter.Split("a\u00a0b"));
}
