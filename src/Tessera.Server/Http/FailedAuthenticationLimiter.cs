using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// Counts failed authentications (no key, a wrong key) per client address, the one the forwarded headers of a trusted
/// proxy name, if any (<c>Tessera:RateLimits:FailedAuthPerAddress</c>). Past the limit a failure is answered 429 with
/// <c>Retry-After</c> until the window ends. Only failures count and only failures are refused: a request with a right
/// key is never held back by what others sharing its address got wrong.
/// </summary>
/// <remarks>
/// One fixed window per address, in ASP.NET Core's partitioned limiter, which drops a partition once it has been idle
/// for a while (its heartbeat also starts each new window). An IPv6 client counts by its /64, which one host can fill
/// with addresses. While <see cref="MaxAddresses"/> addresses are held, every failure shares one partition, so that
/// many addresses cannot grow the memory held without end.
/// </remarks>
internal sealed class FailedAuthenticationLimiter : IDisposable
{
    /// <summary>How many addresses are counted apart at most; the failures of any more share one count.</summary>
    public const int MaxAddresses = 100_000;

    private static readonly IPAddress Overflow = IPAddress.IPv6None;

    private readonly FailedAuthLimitOptions _limit;
    private readonly PartitionedRateLimiter<IPAddress> _limiter;
    private int _addresses;

    public FailedAuthenticationLimiter(IOptions<TesseraOptions> options)
    {
        _limit = options.Value.RateLimits.FailedAuthPerAddress;
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.Get(address, _ => new CountedLimiter(this, new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
            {
                PermitLimit = _limit.Limit,
                Window = TimeSpan.FromSeconds(_limit.WindowSeconds),
                QueueLimit = 0,
                AutoReplenishment = false,
            }))));
    }

    /// <summary>
    /// Counts one failed authentication of <paramref name="http"/>'s client and answers the error to throw: the 401
    /// <paramref name="failure"/> while the address is within its limit, a 429 (its headers set) past it.
    /// </summary>
    public TesseraException Refuse(HttpContext http, TesseraException failure)
    {
        using var lease = _limiter.AttemptAcquire(PartitionOf(http.Connection.RemoteIpAddress));
        if (lease.IsAcquired)
        {
            return failure;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero
            ? retryAfter
            : TimeSpan.FromSeconds(_limit.WindowSeconds);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[ErrorEnvelopeMiddleware.ShouldRetryHeader] = "true";
        return ApiErrors.TooManyFailedAuthentications(_limit.Limit, _limit.WindowSeconds, seconds);
    }

    public void Dispose() => _limiter.Dispose();

    private IPAddress PartitionOf(IPAddress? address)
    {
        if (address is null || Volatile.Read(ref _addresses) >= MaxAddresses)
        {
            return Overflow;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>A partition's limiter that keeps <see cref="_addresses"/> in step with the partitions alive.</summary>
    private sealed class CountedLimiter : ReplenishingRateLimiter
    {
        private readonly FailedAuthenticationLimiter _owner;
        private readonly ReplenishingRateLimiter _inner;
        private int _disposed;

        public CountedLimiter(FailedAuthenticationLimiter owner, ReplenishingRateLimiter inner)
        {
            _owner = owner;
            _inner = inner;
            Interlocked.Increment(ref owner._addresses);
        }

        public override TimeSpan? IdleDuration => _inner.IdleDuration;

        public override bool IsAutoReplenishing => _inner.IsAutoReplenishing;

        public override TimeSpan ReplenishmentPeriod => _inner.ReplenishmentPeriod;

        public override bool TryReplenish() => _inner.TryReplenish();

        public override RateLimiterStatistics? GetStatistics() => _inner.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => _inner.AttemptAcquire(permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            _inner.AcquireAsync(permitCount, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _inner.Dispose();
                Interlocked.Decrement(ref _owner._addresses);
            }

            base.Dispose(disposing);
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await _inner.DisposeAsync();
                Interlocked.Decrement(ref _owner._addresses);
            }

            await base.DisposeAsyncCore();
        }
    }
}
