using Microsoft.Extensions.DependencyInjection;
using Tessera.Testing.Engines;

namespace Tessera.Storage.Postgres.Tests;

public sealed class RegistrationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddPostgresMetadata_registers_one_working_store_that_the_container_disposes()
    {
        var engine = await PostgresEngine.GetSharedAsync();
        var connectionString = await engine.CreateDatabaseAsync(Token);
        var services = new ServiceCollection()
            .AddSingleton(new SettingsSeen(connectionString))
            .AddPostgresMetadata((provider, options) => options.ConnectionString = provider.GetRequiredService<SettingsSeen>().ConnectionString);

        IMetadataStore store;
        await using (var provider = services.BuildServiceProvider())
        {
            store = provider.GetRequiredService<IMetadataStore>();
            Assert.Same(store, provider.GetRequiredService<IMetadataStore>());
            await store.InitializeAsync(Token);
            await store.CheckHealthAsync(Token);
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ReadClockAsync(Token));
    }

    [Fact]
    public void A_missing_or_malformed_connection_string_is_refused_when_the_store_is_made_without_echoing_it()
    {
        Assert.Throws<ArgumentException>(() => new PostgresMetadataStore(new PostgresMetadataOptions()));
        var malformed = Assert.Throws<ArgumentException>(() => new PostgresMetadataStore(new PostgresMetadataOptions { ConnectionString = "Host=db;Password=hunter2;Bogus Keyword=1" }));
        Assert.DoesNotContain("hunter2", malformed.Message, StringComparison.Ordinal);
    }

    private sealed record SettingsSeen(string ConnectionString);
}
