using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Tessera.Server.Hosting;

/// <summary>
/// Says so in the log when settings reloaded at run time (a changed <see cref="SettingsFile"/>) are not valid, or
/// the settings file could not be parsed.
/// <see cref="IOptionsMonitor{TOptions}"/> then keeps the last valid ones without a word, so keys and limits stay
/// as they were; the operator must still hear why the change did not take.
/// </summary>
internal sealed class SettingsReloadCheck(IConfiguration configuration, IOptionsFactory<TesseraOptions> options, ILogger<SettingsReloadCheck> logger)
    : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check()
    {
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
