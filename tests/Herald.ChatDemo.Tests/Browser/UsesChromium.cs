using Herald.Testing;

namespace Herald.ChatDemo.Tests.Browser;

/// <summary>The tests that drive Chromium share one browser.</summary>
[CollectionDefinition(Name)]
public sealed class UsesChromium : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "browser";
}
