using Microsoft.Extensions.DependencyInjection;
using Tessera.Testing.Engines;

namespace Tessera.Storage.S3.Tests;

public sealed class S3BlobServiceCollectionExtensionsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddS3Blobs_registers_one_S3_store_as_the_blob_store_configured_from_the_services()
    {
        var engine = await S3Engine.SharedAsync();
        var bucket = await engine.CreateBucketAsync(Token);
        var services = new ServiceCollection();
        services.AddSingleton(engine.OptionsFor(bucket, "from-services"));
        services.AddS3Blobs((provider, options) =>
        {
            var configured = provider.GetRequiredService<S3BlobOptions>();
            (options.ServiceUrl, options.Bucket, options.Prefix, options.ForcePathStyle) =
                (configured.ServiceUrl, configured.Bucket, configured.Prefix, configured.ForcePathStyle);
            (options.AccessKey, options.SecretKey) = (configured.AccessKey, configured.SecretKey);
        });
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IBlobStore>();
        await store.WriteAsync("blob_registered", new PatternStream(10, seed: 1), Token);

        Assert.IsType<S3BlobStore>(store);
        Assert.Same(store, provider.GetRequiredService<IBlobStore>());
        Assert.Equal(1, engine.Requests.Count(r => r.Kind == S3RequestKind.PutObject && r.Path == $"/{bucket}/from-services/blob_registered"));
    }

    [Fact]
    public void A_store_without_a_bucket_is_refused_with_a_message_naming_the_setting()
    {
        var services = new ServiceCollection().AddS3Blobs(options => options.ServiceUrl = "http://127.0.0.1:1");
        using var provider = services.BuildServiceProvider();

        var exception = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IBlobStore>());

        Assert.Equal(nameof(S3BlobOptions.Bucket), exception.ParamName);
    }

    [Theory]
    [InlineData("not a url", null, nameof(S3BlobOptions.ServiceUrl))]
    [InlineData("ftp://example.com", null, nameof(S3BlobOptions.ServiceUrl))]
    [InlineData(null, "only-the-access-key", nameof(S3BlobOptions.SecretKey))]
    public void Options_that_cannot_work_are_refused_naming_the_option(string? serviceUrl, string? accessKey, string option)
    {
        var options = new S3BlobOptions { Bucket = "bucket", ServiceUrl = serviceUrl, AccessKey = accessKey };

        var exception = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(option, exception.ParamName);
    }
}
