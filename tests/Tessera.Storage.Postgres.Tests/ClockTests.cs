using Npgsql;

namespace Tessera.Storage.Postgres.Tests;

public sealed class ClockTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_clock_is_the_database_servers_not_this_machines()
    {
        await using var nodes = await Nodes.StartAsync();
        // A clock_timestamp() of the database's own that is years off, found before pg_catalog's by the nodes
        // below: what they answer can only have come from the database.
        await nodes.QueryScalarAsync<int>(
            """
            CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS $$ SELECT timestamptz '2001-02-03 04:05:06+00' $$;
            SELECT 1;
            """);
        var searchingPublicFirst = new NpgsqlConnectionStringBuilder(nodes.ConnectionString) { SearchPath = "public, pg_catalog" }.ConnectionString;
        await using var skewed = await Nodes.StartAsync(searchingPublicFirst);

        Assert.Equal(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero), await skewed.A.ReadClockAsync(Token));
    }

    [Fact]
    public async Task The_clock_reads_the_current_time_in_utc()
    {
        await using var nodes = await Nodes.StartAsync();

        var first = await nodes.A.ReadClockAsync(Token);
        var second = await nodes.B.ReadClockAsync(Token);

        Assert.Equal(TimeSpan.Zero, first.Offset);
        Assert.InRange(first, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(second >= first, $"the clock went back from {first:O} to {second:O}");
    }
}
