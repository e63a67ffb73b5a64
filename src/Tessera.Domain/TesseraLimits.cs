namespace Tessera.Domain;

/// <summary>The limits of docs/api.md section 7; bound from the <c>Tessera:Limits</c> configuration section.</summary>
public sealed class TesseraLimits
{
    public const long Gibibyte = 1L << 30;
    public const long Mebibyte = 1L << 20;

    /// <summary>The largest part <c>POST /uploads/{id}/parts</c> accepts (64 MiB, the Python helper's part size).</summary>
    public long MaxPartBytes { get; set; } = 64 * Mebibyte;

    /// <summary>The largest upload that may be declared, and the most bytes one upload's stored parts may hold.</summary>
    public long MaxUploadBytes { get; set; } = 8 * Gibibyte;

    /// <summary>How long a pending upload lives before it expires (OpenAI: one hour).</summary>
    public int UploadTimeToLiveSeconds { get; set; } = 3600;

    /// <summary>The largest file <c>POST /files</c> accepts (512 MB).</summary>
    public long MaxFileBytes { get; set; } = 512 * Mebibyte;

    public int MinFileExpiresAfterSeconds { get; set; } = 3600;

    public int MaxFileExpiresAfterSeconds { get; set; } = 2_592_000;

    /// <summary>How long a file made with purpose <c>batch</c> lives when the client set no expiry (OpenAI: 30 days).</summary>
    public int BatchFileTimeToLiveSeconds { get; set; } = 2_592_000;

    /// <summary>The largest JSON request body read, in bytes (a <c>part_ids</c> list of every part of a large upload fits).</summary>
    public int MaxJsonBodyBytes { get; set; } = 4 * (int)Mebibyte;

    /// <summary>
    /// How long a request body may deliver no bytes before the request is aborted and nothing of it is kept
    /// (<c>Tessera:Limits:BodyIdleSeconds</c>; 30 s, as object stores do). Kestrel's minimum data rate is an
    /// average over the whole body, so a burst followed by silence would pass it for an hour.
    /// </summary>
    public int BodyIdleSeconds { get; set; } = 30;

    /// <summary>
    /// The most of a refused request's body that is read and discarded before the answer is sent
    /// (<c>Tessera:Limits:MaxDrainBytes</c>), so that a client still sending sees the answer, not a broken connection.
    /// A larger remainder is left unread and the connection closes after the answer. The default covers the largest
    /// body a route accepts (a 512 MB file) and a part or file well over its limit.
    /// </summary>
    public long MaxDrainBytes { get; set; } = Gibibyte;

    /// <summary>
    /// The most of a refused body read and discarded when the request did not authenticate (no key, a wrong key, or
    /// a route that needs none), instead of <see cref="MaxDrainBytes"/> (<c>Tessera:Limits:MaxUnauthenticatedDrainBytes</c>;
    /// 65 MiB, one part and its form). Such a drain also stops after <see cref="UnauthenticatedDrainSeconds"/>.
    /// </summary>
    public long MaxUnauthenticatedDrainBytes { get; set; } = 65 * Mebibyte;

    /// <summary>How long a refused body of a request that did not authenticate is read at most before the answer goes out and the connection closes.</summary>
    public const int UnauthenticatedDrainSeconds = 10;

    /// <summary>
    /// The most parts one upload may be given (<c>Tessera:Limits:MaxPartsPerUpload</c>; 10,000, as S3 allows), a retried
    /// part counting as one more; <c>complete</c> may name no more than this many.
    /// </summary>
    public int MaxPartsPerUpload { get; set; } = 10_000;

    /// <summary>The most UTF-8 bytes of a file name, from <c>POST /uploads</c> or from the file field of <c>POST /files</c>.</summary>
    public const int MaxFilenameBytes = 1024;

    /// <summary>The most UTF-8 bytes of a <c>mime_type</c>.</summary>
    public const int MaxMimeTypeBytes = 255;

    /// <summary>The most UTF-8 bytes of a <c>purpose</c> (every accepted one is far shorter).</summary>
    public const int MaxPurposeBytes = 64;

    /// <summary>
    /// The most bytes a multipart form may hold outside its one file field, all told: its other fields, the fields
    /// the endpoint does not define (read past, never kept), and every section's boundary and headers.
    /// </summary>
    public const int MaxFormFieldsBytes = (int)Mebibyte;

    /// <summary>When true, <c>mime_type</c> must suit the upload's purpose (<see cref="MimeTypes"/>); by default any non-empty value is kept.</summary>
    public bool StrictMimeTypes { get; set; }

    /// <summary>A byte count as an error message names a limit: <c>67108864 bytes (64 MiB)</c>.</summary>
    public static string Describe(long bytes) =>
        bytes >= Mebibyte && bytes % Mebibyte == 0 ? $"{bytes} bytes ({bytes / Mebibyte} MiB)" : $"{bytes} bytes";
}
