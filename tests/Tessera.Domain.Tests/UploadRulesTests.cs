using System.Net;

namespace Tessera.Domain.Tests;

public sealed class UploadRulesTests
{
    private static readonly TesseraLimits Limits = new();

    private static Upload PendingUpload(long bytes = 10) => new()
    {
        Id = "upload_1",
        ProjectId = "p",
        Filename = "f",
        Purpose = "batch",
        Bytes = bytes,
        MimeType = "application/jsonl",
        CreatedAt = 1000,
        ExpiresAt = 4600,
        Status = UploadStatus.Pending,
    };

    private static UploadPart Part(string id, long bytes) => new() { Id = id, UploadId = "upload_1", Bytes = bytes, CreatedAt = 1000, BlobKey = id };

    [Fact]
    public void A_pending_upload_reads_as_expired_from_its_expiry_second_on()
    {
        var upload = PendingUpload();
        Assert.Equal(UploadStatus.Pending, upload.StatusAt(4599));
        Assert.Equal(UploadStatus.Expired, upload.StatusAt(4600));
        Assert.Equal(UploadStatus.Cancelled, (upload with { Status = UploadStatus.Cancelled }).StatusAt(9999));
    }

    [Fact]
    public void Complete_is_a_retry_only_for_a_completed_upload_with_the_same_part_ids_in_the_same_order()
    {
        var completed = PendingUpload() with { Status = UploadStatus.Completed, CompletedPartIds = ["a", "b"] };
        Assert.True(UploadRequirements.IsRetriedCompletion(completed, ["a", "b"], 2000));
        var refused = Assert.Throws<TesseraException>(() => UploadRequirements.IsRetriedCompletion(completed, ["b", "a"], 2000));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("upload_id", refused.Param);
        Assert.False(UploadRequirements.IsRetriedCompletion(PendingUpload(), ["a"], 2000));
    }

    [Fact]
    public void Cancel_is_a_retry_for_a_cancelled_upload_and_refused_once_completed_or_expired()
    {
        Assert.False(UploadRequirements.IsRetriedCancellation(PendingUpload(), 2000));
        Assert.True(UploadRequirements.IsRetriedCancellation(PendingUpload() with { Status = UploadStatus.Cancelled }, 2000));
        var completed = Assert.Throws<TesseraException>(() =>
            UploadRequirements.IsRetriedCancellation(PendingUpload() with { Status = UploadStatus.Completed }, 2000));
        Assert.Contains("completed", completed.Message);
        var expired = Assert.Throws<TesseraException>(() => UploadRequirements.IsRetriedCancellation(PendingUpload(), 4600));
        Assert.Contains("expired", expired.Message);
        Assert.Null(UploadRequirements.CancelRefusal(PendingUpload() with { Status = UploadStatus.Cancelled }, 2000));
    }

    [Fact]
    public void Part_ids_keep_the_order_given_and_refuse_repeats_and_strangers()
    {
        var stored = new[] { Part("a", 1), Part("b", 2), Part("c", 3) };
        Assert.Equal(["c", "a"], UploadRequirements.PartIdsNameThisUploadsParts(["c", "a"], stored).Select(p => p.Id));
        Assert.Equal("part_ids", Assert.Throws<TesseraException>(() => UploadRequirements.PartIdsNameThisUploadsParts(["a", "a"], stored)).Param);
        Assert.Equal("part_ids", Assert.Throws<TesseraException>(() => UploadRequirements.PartIdsNameThisUploadsParts(["z"], stored)).Param);
    }

    [Fact]
    public void Parts_must_add_up_to_the_declared_bytes_and_the_message_says_both_numbers()
    {
        UploadRequirements.PartsAddUpToDeclaredBytes(PendingUpload(3), [Part("a", 1), Part("b", 2)]);
        var error = Assert.Throws<TesseraException>(() => UploadRequirements.PartsAddUpToDeclaredBytes(PendingUpload(10), [Part("a", 1)]));
        Assert.Contains("expected 10 bytes, got 1", error.Message);
    }

    [Theory]
    [InlineData("5d41402abc4b2a76b9719d911017c592", true)]
    [InlineData("5D41402ABC4B2A76B9719D911017C592", true)]
    [InlineData("XUFAKrxLKna5cZ2REBfFkg==", true)]
    [InlineData("5d41402abc4b2a76b9719d911017c59", false)]
    [InlineData("zz41402abc4b2a76b9719d911017c592", false)]
    [InlineData("aGVsbG8=", false)]
    [InlineData("", false)]
    public void An_md5_is_read_from_hex_of_either_case_or_base64_of_16_bytes(string text, bool valid)
    {
        var digest = Md5Checksum.TryParse(text);
        Assert.Equal(valid, digest is not null);
        if (valid)
        {
            Assert.Equal("5d41402abc4b2a76b9719d911017c592", Convert.ToHexStringLower(digest!));
        }
    }

    [Fact]
    public void A_new_file_expires_as_asked_else_after_30_days_for_batch_else_never()
    {
        Assert.Equal(1000 + 7200, FileExpiry.ExpiresAt("assistants", 7200, 1000, Limits));
        Assert.Equal(1000 + 2_592_000, FileExpiry.ExpiresAt("batch", null, 1000, Limits));
        Assert.Null(FileExpiry.ExpiresAt("assistants", null, 1000, Limits));
    }

    [Fact]
    public void Generated_ids_have_OpenAIs_shapes_and_do_not_repeat()
    {
        var ids = new RandomIdGenerator();
        Assert.Matches("^upload_[0-9a-f]{32}$", ids.NewUploadId());
        Assert.Matches("^part_[0-9a-f]{32}$", ids.NewPartId());
        Assert.Matches("^file-[1-9A-HJ-NP-Za-km-z]{22}$", ids.NewFileId());
        Assert.Equal(1000, Enumerable.Range(0, 1000).Select(_ => ids.NewFileId()).Distinct().Count());
    }

    [Fact]
    public void An_error_message_never_shows_a_whole_key()
    {
        Assert.Equal("sk-ab***yz", ApiErrors.MaskKey("sk-abcdefghijklmnopqrstuvwxyz"));
        Assert.Equal("***", ApiErrors.MaskKey("short"));
    }

    [Theory]
    [InlineData("application/jsonl", "batch", true)]
    [InlineData("text/jsonl; charset=utf-8", "fine-tune", true)]
    [InlineData("image/png", "batch", false)]
    [InlineData("image/png", "vision", true)]
    [InlineData("txt", "assistants", false)]
    [InlineData("application/pdf", "assistants", true)]
    public void Strict_mime_types_suit_the_purpose(string mimeType, string purpose, bool suits) =>
        Assert.Equal(suits, MimeTypes.SuitsPurpose(mimeType, purpose));
}
