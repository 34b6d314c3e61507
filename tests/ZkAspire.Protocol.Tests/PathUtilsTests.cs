// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Protocol.Tests;

/// <summary>
/// <see cref="PathUtils"/> against ZooKeeper's <c>PathUtils.validatePath</c> (§18). The expected
/// messages were produced by running the Java method of Debian's zookeeper 3.8.0 jar on each path.
/// </summary>
public sealed class PathUtilsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/zoo/keeper")]
    [InlineData("/...")]
    [InlineData("/.a")]
    [InlineData("/a.")]
    [InlineData("/a..b")]
    [InlineData("/..a")]
    [InlineData("/ ")]
    [InlineData("/~")]
    [InlineData("/\u00a0")]      // first character after the C1 controls
    [InlineData("/\uf900")]      // first character after the private use area
    [InlineData("/\uffef")]      // last character before the specials
    [InlineData("/ü/日本/é")]
    public void ValidPaths(string path)
    {
        Assert.Null(PathUtils.Validate(path));
        Assert.True(PathUtils.IsValid(path));
    }

    [Theory]
    [InlineData("", "Path length must be > 0")]
    [InlineData("a", "Path must start with / character")]
    [InlineData("a/b", "Path must start with / character")]
    [InlineData("//", "Path must not end with / character")]
    [InlineData("/a/", "Path must not end with / character")]
    [InlineData("/a//b", "Invalid path string \"/a//b\" caused by empty node name specified @3")]
    [InlineData("/.", "Invalid path string \"/.\" caused by relative paths not allowed @1")]
    [InlineData("/..", "Invalid path string \"/..\" caused by relative paths not allowed @2")]
    [InlineData("/a/.", "Invalid path string \"/a/.\" caused by relative paths not allowed @3")]
    [InlineData("/a/..", "Invalid path string \"/a/..\" caused by relative paths not allowed @4")]
    [InlineData("/./a", "Invalid path string \"/./a\" caused by relative paths not allowed @1")]
    [InlineData("/../a", "Invalid path string \"/../a\" caused by relative paths not allowed @2")]
    [InlineData("/a/./b", "Invalid path string \"/a/./b\" caused by relative paths not allowed @3")]
    [InlineData("/a/../b", "Invalid path string \"/a/../b\" caused by relative paths not allowed @4")]
    [InlineData("/a\0b", "Invalid path string \"/a\0b\" caused by null character not allowed @2")]
    [InlineData("/x\0", "Invalid path string \"/x\0\" caused by null character not allowed @2")]
    [InlineData("/ab/c\0", "Invalid path string \"/ab/c\0\" caused by null character not allowed @5")]
    [InlineData("/a\u0001", "Invalid path string \"/a\u0001\" caused by invalid character @2")]
    [InlineData("/\u001f", "Invalid path string \"/\u001f\" caused by invalid character @1")]
    [InlineData("/\u007f", "Invalid path string \"/\u007f\" caused by invalid character @1")]
    [InlineData("/\u009f", "Invalid path string \"/\u009f\" caused by invalid character @1")]
    [InlineData("/\ud800", "Invalid path string \"/\ud800\" caused by invalid character @1")]
    [InlineData("/\udfff", "Invalid path string \"/\udfff\" caused by invalid character @1")]
    [InlineData("/\ue000", "Invalid path string \"/\ue000\" caused by invalid character @1")]
    [InlineData("/\uf8ff", "Invalid path string \"/\uf8ff\" caused by invalid character @1")]
    [InlineData("/\ufff0", "Invalid path string \"/\ufff0\" caused by invalid character @1")]
    [InlineData("/\uffff", "Invalid path string \"/\uffff\" caused by invalid character @1")]
    [InlineData("/ok/\U0001F600", "Invalid path string \"/ok/\U0001F600\" caused by invalid character @4")]
    public void InvalidPathsWithZooKeepersMessages(string path, string message)
    {
        Assert.Equal(message, PathUtils.Validate(path));
        Assert.False(PathUtils.IsValid(path));
    }

    [Fact]
    public void NullPath()
    {
        Assert.Equal("Path cannot be null", PathUtils.Validate(null));

        // Java concatenates null + "1" into "null1" for a sequential null path and then reports
        // "Path must start with / character"; reporting the null is clearer and no client sends it.
        Assert.Equal("Path cannot be null", PathUtils.Validate(null, isSequential: true));
    }

    [Theory]
    [InlineData("/queue/", null)]
    [InlineData("/q/", null)]
    [InlineData("/", null)]
    [InlineData("/lock-", null)]
    [InlineData("", "Path must start with / character")]
    [InlineData("/a//", "Invalid path string \"/a//1\" caused by empty node name specified @3")]
    [InlineData("/a/.", null)]
    public void SequentialPrefixesAreCheckedWithASuffix(string prefix, string? message)
    {
        // validatePath(path, isSequential) checks path + "1": a prefix may end in '/' or '.'.
        Assert.Equal(message, PathUtils.Validate(prefix, isSequential: true));
    }

    [Theory]
    [InlineData("/a", "/", "a")]
    [InlineData("/a/b", "/a", "b")]
    [InlineData("/a/b/c", "/a/b", "c")]
    [InlineData("/", "/", "")]
    public void ParentAndName(string path, string parent, string name)
    {
        Assert.Equal(parent, PathUtils.GetParent(path));
        Assert.Equal(name, PathUtils.GetName(path));
        if (path != "/")
        {
            Assert.Equal(path, PathUtils.Combine(parent, name));
        }
    }

    [Fact]
    public void ReservedPaths()
    {
        Assert.Equal("/", PathUtils.Root);
        Assert.Equal("/zookeeper", PathUtils.ZooKeeperRoot);
        Assert.Equal("/zookeeper/quota", PathUtils.QuotaRoot);
        Assert.Equal("/zookeeper/config", PathUtils.ConfigNode);
    }

    [Theory]
    [InlineData(0, "0000000000")]
    [InlineData(7, "0000000007")]
    [InlineData(1234567890, "1234567890")]
    [InlineData(int.MaxValue, "2147483647")]
    [InlineData(-1, "-000000001")]
    [InlineData(-5, "-000000005")]
    [InlineData(-123456789, "-123456789")]
    [InlineData(-1234567890, "-1234567890")]
    [InlineData(int.MinValue, "-2147483648")]
    public void FormatSequenceIsJavasPercent010d(int sequence, string expected)
    {
        // Expected values from Java's String.format("%010d", n): the width counts the sign and
        // wider numbers are not truncated, so int.MinValue gives 11 characters (§12, gotcha 7).
        Assert.Equal(expected, PathUtils.FormatSequence(sequence));
    }
}
