using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A real store with faults on demand: every call goes to the store it wraps unless <see cref="Fault"/> answers an
/// exception for that method, which is then thrown instead, or <see cref="Substitute"/> a value, which is returned
/// instead. Lets a test make a store fail as a backend would report it (a <c>StoreUnavailableException</c>, say), or
/// its clock run ahead, without breaking a real engine.
/// </summary>
public class FaultyStore<TStore> : DispatchProxy
    where TStore : class
{
    internal TStore Inner { get; set; } = null!;

    /// <summary>The exception to throw for a call of the named method, or null to let it through.</summary>
    public Func<string, Exception?> Fault { get; set; } = _ => null;

    /// <summary>What to return for a call of the named method instead of calling the store (a <c>Task</c> for an async one), or null to call it.</summary>
    public Func<string, object?> Substitute { get; set; } = _ => null;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (Fault(targetMethod.Name) is { } fault)
        {
            throw fault;
        }

        if (Substitute(targetMethod.Name) is { } substitute)
        {
            return substitute;
        }

        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(wrapped.InnerException);
            throw;
        }
    }
}

public static class FaultyStores
{
    /// <summary>Replaces the registered <typeparamref name="TStore"/> with a <see cref="FaultyStore{TStore}"/> around it.</summary>
    /// <param name="services">The server's services, after Tessera's own registrations.</param>
    /// <param name="configure">Sets faults before the server starts, so they apply to its start-up too.</param>
    public static void WrapInFaults<TStore>(this IServiceCollection services, Action<FaultyStore<TStore>>? configure = null)
        where TStore : class
    {
        var real = services.Last(d => d.ServiceType == typeof(TStore));
        services.AddSingleton(sp =>
        {
            var store = DispatchProxy.Create<TStore, FaultyStore<TStore>>();
            var control = (FaultyStore<TStore>)(object)store;
            control.Inner = (TStore)real.ImplementationFactory!(sp);
            configure?.Invoke(control);
            return store;
        });
    }

    /// <summary>The control of a store that <see cref="WrapInFaults{TStore}"/> wrapped.</summary>
    public static FaultyStore<TStore> Faults<TStore>(this TesseraTestServer server)
        where TStore : class =>
        (FaultyStore<TStore>)(object)server.Services.GetRequiredService<TStore>();
}
