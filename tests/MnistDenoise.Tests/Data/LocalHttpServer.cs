using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MnistDenoise.Tests.Data;

/// <summary>A real HTTP server on 127.0.0.1 (HttpListener on a free port) serving canned answers by path.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Func<HttpListenerResponse, CancellationToken, Task>> _routes = new();

    public LocalHttpServer()
    {
        for (int attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            var baseUri = new Uri($"http://127.0.0.1:{UnusedPort()}/");
            listener.Prefixes.Add(baseUri.AbsoluteUri);
            try
            {
                listener.Start();
                (_listener, BaseUri) = (listener, baseUri);
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // The port was taken meanwhile; try another.
            }
        }

        _ = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; }

    /// <summary>Paths requested so far, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public Uri Url(string folder) => new(BaseUri, folder.TrimEnd('/') + "/");

    /// <summary>Answers GET <paramref name="path"/> with 200 and <paramref name="body"/>.</summary>
    public void Serve(string path, byte[] body) => _routes[path] = async (response, ct) =>
    {
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body, ct);
    };

    /// <summary>Answers GET <paramref name="path"/> with <paramref name="status"/> and no body.</summary>
    public void Fail(string path, HttpStatusCode status) => _routes[path] = (response, _) =>
    {
        response.StatusCode = (int)status;
        return Task.CompletedTask;
    };

    /// <summary>Announces <paramref name="length"/> bytes, sends a few, then stalls until the server stops.</summary>
    public void Stall(string path, long length) => _routes[path] = async (response, ct) =>
    {
        response.ContentLength64 = length;
        await response.OutputStream.WriteAsync(new byte[] { 0x1F, 0x8B }, ct);
        await response.OutputStream.FlushAsync(ct);
        await Task.Delay(Timeout.Infinite, ct);
    };

    /// <summary>Announces all of <paramref name="body"/>, sends its first <paramref name="sent"/> bytes, then drops the connection.</summary>
    public void Drop(string path, byte[] body, int sent) => _routes[path] = async (response, ct) =>
    {
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body.AsMemory(0, sent), ct);
        await response.OutputStream.FlushAsync(ct);
        response.Abort();
    };

    /// <summary>Sends <paramref name="body"/> chunked, without announcing its length.</summary>
    public void ServeChunked(string path, byte[] body) => _routes[path] = async (response, ct) =>
    {
        response.SendChunked = true;
        for (int at = 0; at < body.Length; at += 1024)
        {
            await response.OutputStream.WriteAsync(body.AsMemory(at, Math.Min(1024, body.Length - at)), ct);
        }
    };

    /// <summary>A loopback port nothing listens on (for a dead mirror).</summary>
    public static int UnusedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Close();
        _stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        string path = context.Request.Url!.AbsolutePath;
        Requests.Enqueue(path);
        try
        {
            if (_routes.TryGetValue(path, out var answer))
            {
                await answer(context.Response, _stopping.Token);
            }
            else
            {
                context.Response.StatusCode = (int)HttpStatusCode.NotFound;
            }

            context.Response.Close();
        }
        catch (Exception)
        {
            context.Response.Abort(); // Stopping, or the client went away.
        }
    }
}
