using System;
using System.Collections;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace OomTools;

/// <summary>
/// Takes the parameters that no piped object can bind out of PowerShell's list of a command's unbound parameters
/// (CmdletParameterBinderController.UnboundParameters), in BeginProcessing. For every piped object PowerShell's binder
/// walks that list about eight times (four binding passes, the pipeline-input and mandatory checks, and a search on
/// putting -InputObject back), so its cost an object grows with every parameter the command has (56 on Add-OomTask,
/// common parameters included, whose by-property-name ones <see cref="PipedRowBinder"/> binds). After the command line,
/// PowerShell reads that list only for parameters that take pipeline input or are mandatory (and for the parameter
/// sets, which a parameter in all of them does not narrow); $PSDefaultParameterValues go by the bound arguments. A
/// parameter that is none of these is taken out; when PowerShell's internals are not as expected, none is.
/// </summary>
internal static class BinderUnboundList
{
    private static readonly Func<Cmdlet, IList?>? unbound = UnboundGetter();
    private static readonly Func<object, bool>? leaveOut = LeaveOutTest();

    /// <summary>
    /// Removes from <paramref name="cmdlet"/>'s unbound parameters each one that takes no pipeline input, is mandatory
    /// in no parameter set and is in all of them. Called from BeginProcessing (when the command being begun is
    /// <paramref name="cmdlet"/>).
    /// </summary>
    public static void Remove(Cmdlet cmdlet)
    {
        if (unbound is null || leaveOut is null) return;
        try
        {
            if (unbound(cmdlet) is not { } list) return;
            for (int i = list.Count - 1; i >= 0; i--)
                if (list[i] is { } parameter && leaveOut(parameter)) list.RemoveAt(i);
        }
        catch (Exception)
        {
            // Only a shortcut: whatever PowerShell's internals do, the command goes on without it.
        }
    }

    /// <summary>
    /// cmdlet.Context.CurrentCommandProcessor.CmdletParameterBinderController.UnboundParameters, when that controller's
    /// Command is the cmdlet; null otherwise.
    /// </summary>
    private static Func<Cmdlet, IList?>? UnboundGetter()
    {
        try
        {
            var sma = typeof(Cmdlet).Assembly;
            var context = typeof(Cmdlet).GetProperty("Context", BindingFlags.Instance | BindingFlags.NonPublic);
            var current = context?.PropertyType.GetProperty("CurrentCommandProcessor", BindingFlags.Instance | BindingFlags.NonPublic);
            var processorType = sma.GetType("System.Management.Automation.CommandProcessor");
            var controller = processorType?.GetProperty("CmdletParameterBinderController", BindingFlags.Instance | BindingFlags.NonPublic);
            var command = controller?.PropertyType.GetProperty("Command", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            var list = controller?.PropertyType.GetProperty("UnboundParameters", BindingFlags.Instance | BindingFlags.NonPublic);
            if (context is null || current is null || processorType is null || controller is null || command is null || list is null
                || !typeof(IList).IsAssignableFrom(list.PropertyType))
                return null;

            var cmdlet = Expression.Parameter(typeof(Cmdlet));
            var processor = Expression.Variable(processorType);
            var binder = Expression.Variable(controller.PropertyType);
            var body = Expression.Block(
                new[] { processor, binder },
                Expression.Assign(processor, Expression.TypeAs(Expression.Property(Expression.Property(cmdlet, context), current), processorType)),
                Expression.Condition(
                    Expression.Equal(processor, Expression.Constant(null, processorType)),
                    Expression.Constant(null, typeof(IList)),
                    Expression.Block(
                        Expression.Assign(binder, Expression.Property(processor, controller)),
                        Expression.Condition(
                            Expression.ReferenceEqual(Expression.Convert(Expression.Property(binder, command), typeof(object)), cmdlet),
                            Expression.Convert(Expression.Property(binder, list), typeof(IList)),
                            Expression.Constant(null, typeof(IList))))));
            return Expression.Lambda<Func<Cmdlet, IList?>>(body, cmdlet).Compile();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or MemberAccessException or AmbiguousMatchException)
        {
            return null;
        }
    }

    /// <summary>
    /// MergedCompiledCommandParameter.Parameter: not IsPipelineParameterInSomeParameterSet, not
    /// IsMandatoryInSomeParameterSet, and IsInAllSets.
    /// </summary>
    private static Func<object, bool>? LeaveOutTest() =>
        ParameterGetter<bool>((p, compiled) =>
        {
            const BindingFlags any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            var pipeline = compiled.GetProperty("IsPipelineParameterInSomeParameterSet", any);
            var mandatory = compiled.GetProperty("IsMandatoryInSomeParameterSet", any);
            var allSets = compiled.GetProperty("IsInAllSets", any);
            if (pipeline?.PropertyType != typeof(bool) || mandatory?.PropertyType != typeof(bool) || allSets?.PropertyType != typeof(bool))
                throw new InvalidOperationException("CompiledCommandParameter is not as expected.");
            return Expression.AndAlso(
                Expression.Not(Expression.Property(p, pipeline)),
                Expression.AndAlso(Expression.Not(Expression.Property(p, mandatory)), Expression.Property(p, allSets)));
        });

    private static Func<object, TResult>? ParameterGetter<TResult>(Func<Expression, Type, Expression> read)
    {
        try
        {
            var sma = typeof(Cmdlet).Assembly;
            var merged = sma.GetType("System.Management.Automation.MergedCompiledCommandParameter");
            var parameter = merged?.GetProperty("Parameter", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            if (merged is null || parameter is null) return null;
            var item = Expression.Parameter(typeof(object));
            var compiled = Expression.Property(Expression.Convert(item, merged), parameter);
            var body = read(compiled, parameter.PropertyType);
            if (body.Type != typeof(TResult)) return null;
            return Expression.Lambda<Func<object, TResult>>(body, item).Compile();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or MemberAccessException or AmbiguousMatchException or NullReferenceException)
        {
            return null;
        }
    }
}
