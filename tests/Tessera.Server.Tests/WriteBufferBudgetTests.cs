using System.Runtime.InteropServices;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage.FileSystem;

namespace Tessera.Server.Tests;

/// <summary>
/// The budget for large write buffers: parts written once it is spent (in whole or between a part's two buffers)
/// go through small buffers and are stored byte for byte all the same.
/// </summary>
public sealed class WriteBufferBudgetTests
{
    [Theory]
    [InlineData("0")] // every write on small buffers
    [InlineData("4")] // one large buffer at a time: the first part gets a large and a small one
    public async Task Parts_and_files_written_past_the_budget_keep_every_byte(string budgetMiB)
    {
        await using var server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string> { ["Tessera:WriteBufferBudgetMiB"] = budgetMiB });
        using var client = server.CreateClient();
        var chunks = new[] { (5 << 20) + 123, 9 << 20, (4 << 20) - 1, 300_000 }.Select(Api.RandomBytes).ToArray();
        var whole = chunks.SelectMany(c => c).ToArray();
        var uploadId = (await client.CreateUploadAsync(whole.Length)).Id();

        var partIds = await Task.WhenAll(chunks.Select(chunk => client.AddPartAsync(uploadId, chunk)));
        var file = (await client.CompleteAsync(uploadId, partIds, Api.Md5Hex(whole))).GetProperty("file");
        var single = Api.RandomBytes((6 << 20) + 7);
        var singleId = (await client.UploadFileAsync(single)).Id();

        Assert.Equal(whole, await client.GetByteArrayAsync($"files/{file.Id()}/content"));
        Assert.Equal(single, await client.GetByteArrayAsync($"files/{singleId}/content"));
    }

    [Fact]
    public void Large_buffers_are_handed_out_only_while_the_budget_lasts_and_come_back_to_it()
    {
        const int large = 1 << 20;
        var buffers = new WriteBuffers(large, budgetBytes: 2 * large);

        var first = buffers.Rent();
        var second = buffers.Rent();
        var third = buffers.Rent();
        Assert.Equal([large, large, WriteBuffers.SmallBytes], new[] { first.Length, second.Length, third.Length });
        Assert.Equal(2 * large, buffers.LargeRentedBytes);

        buffers.Return(third);
        Assert.Equal(2 * large, buffers.LargeRentedBytes);
        buffers.Return(first);
        Assert.Equal(large, buffers.Rent().Length);
        Assert.All([first, second, third], buffer =>
            Assert.Equal(0, Marshal.UnsafeAddrOfPinnedArrayElement(buffer.Array, buffer.Offset).ToInt64() % DirectIo.Alignment));
    }
}
