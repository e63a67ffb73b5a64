using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.ConsoleBench;

/// <summary>
/// The Chrome DevTools Protocol over one WebSocket, as little of it as the benchmark needs: commands sent to the
/// browser or, with a session id, to one tab, and their answers. Events are read and dropped; the benchmark enables no
/// domain that sends many.
/// </summary>
internal sealed class CdpConnection : IAsyncDisposable
{
    /// <summary>The longest a command may take (a whole upload awaited in the page is one), so a stall fails the run.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _waiting = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    public static async Task<CdpConnection> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var connection = new CdpConnection();
        await connection._socket.ConnectAsync(endpoint, cancellationToken);
        connection._receiving = connection.ReceiveAsync(connection._stop.Token);
        return connection;
    }

    /// <summary>
    /// Sends <paramref name="method"/> and returns its result; throws with the protocol's error message when it fails.
    /// <paramref name="sessionId"/> names the tab it goes to; without it the browser answers.
    /// </summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = JsonSerializer.SerializeToNode(parameters ?? new { }) };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }

        using var registration = cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
        JsonElement result;
        try
        {
            result = await answer.Task.WaitAsync(CommandTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Chromium did not answer {method} within {CommandTimeout.TotalSeconds} s.");
        }

        return result.TryGetProperty("error", out var error)
            ? throw new InvalidOperationException($"{method} failed: {error.GetProperty("message").GetString()}")
            : result.GetProperty("result");
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var failure = "Chromium closed the DevTools connection.";
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                using (var document = JsonDocument.Parse(message.ToArray()))
                {
                    if (document.RootElement.TryGetProperty("id", out var id) && _waiting.TryRemove(id.GetInt32(), out var answer))
                    {
                        answer.TrySetResult(document.RootElement.Clone());
                    }
                }

                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The browser went away or the benchmark is over: whoever still waits is told below.
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            failure = $"A DevTools message could not be read: {e.Message}";
        }

        foreach (var answer in _waiting.Values)
        {
            answer.TrySetException(new InvalidOperationException(failure));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receiving;
        _socket.Dispose();
        _sending.Dispose();
        _stop.Dispose();
    }
}
