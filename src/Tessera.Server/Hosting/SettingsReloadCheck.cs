using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Tessera.Server.Hosting;

/// <summary>
/// Says so in the log when settings reloaded at run time (a changed <see cref="SettingsFile"/>) are not valid, or
/// the settings file could not be parsed, or they change the listening addresses, which need a restart
/// (<see cref="ListenAddresses"/>).
/// <see cref="IOptionsMonitor{TOptions}"/> then keeps the last valid ones without a word, so keys and limits stay
/// as they were; the operator must still hear why the change did not take.
/// </summary>
internal sealed class SettingsReloadCheck(
    IConfiguration configuration, IOptionsFactory<TesseraOptions> options, IServer server, ILogger<SettingsReloadCheck> logger)
    : IHostedService, IDisposable
{
    private IDisposable? _subscription;
    private string _boundAddresses = "";
    private string _lastAddresses = "";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _boundAddresses = _lastAddresses = ListenAddresses.Fingerprint(configuration);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check()
    {
        var addresses = ListenAddresses.Fingerprint(configuration);
        if (addresses != _lastAddresses && addresses != _boundAddresses)
        {
            var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            logger.ListenAddressesNeedRestart(string.Join(", ", bound));
        }

        _lastAddresses = addresses;

        if (SettingsFile.ReloadFailure(configuration) is { } parseFailure)
        {
            logger.SettingsReloadInvalid(parseFailure);
            return;
        }

        try
        {
            options.Create(Options.DefaultName);
        }
        catch (OptionsValidationException invalid)
        {
            logger.SettingsReloadInvalid(string.Join(" ", invalid.Failures));
        }
        catch (StartupException unreadable)
        {
            logger.SettingsReloadInvalid(unreadable.Message);
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
