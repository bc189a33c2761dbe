using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Management.Automation.Internal;
using System.Reflection;

namespace OomTools;

/// <summary>
/// Binds the properties of one piped object to a cmdlet's [ByPropertyName] parameters as PowerShell's
/// by-property-name binding would (<see cref="ByPropertyNameAttribute"/>): PowerShell's binder looks every
/// ValueFromPipelineByPropertyName parameter and its aliases up on each piped object, twice (without, then with type
/// coercion), 20-40 µs an object for 30 parameters. Here the object's properties are read once and matched by name.
/// </summary>
/// <remarks>
/// The binder's rules, kept one by one (CmdletParameterBinderController.BindPipelineParameters and
/// ParameterBinderBase.BindParameter): a parameter takes the property of its own name, else of its first alias that
/// the object has (case ignored); a parameter already bound (on the command line, or by $PSDefaultParameterValues) is
/// not taken from the object; a property holding AutomationNull binds nothing. The parameters that get their value
/// without coercion bind first (after their transformation attributes: a size text becomes a MemorySize), in the
/// binder's order, then the others with its coercion (null is a present switch; a bool, int or other number binds a
/// switch, nothing else does; a collection never binds a scalar; the rest through LanguagePrimitives.ConvertTo). A
/// value that does not convert, or cannot be set, leaves the parameter unbound, silently, as the binder does (the
/// row's text cells are then refused by <see cref="PipedRow"/>); a value that fails a validation attribute (or a
/// transformation that throws) is the binder's error for the whole record (ParameterArgumentValidationError,
/// ParameterArgumentTransformationError, with its message), and the record is left out. Before each record the
/// parameters the previous one bound go back to their defaults and out of the bound parameters.
/// </remarks>
internal sealed class PipedRowBinder
{
    private readonly PSCmdlet cmdlet;
    private readonly Shape shape;
    private readonly EngineIntrinsics? engine;
    private readonly bool fromPipeline;
    private readonly object?[] defaults;
    private readonly PSPropertyInfo?[] found;
    private readonly int[] rank;
    private readonly bool[] deferred;
    private readonly bool[] boundNow;
    private readonly int[] candidates;
    private readonly List<int> boundLast = new();
    private readonly List<PSPropertyInfo> cells = new();
    private bool cellsRead;
    private RowShape? rowShape;

    private PipedRowBinder(PSCmdlet cmdlet, Shape shape, string inputParameter)
    {
        this.cmdlet = cmdlet;
        this.shape = shape;
        engine = cmdlet.GetVariableValue("ExecutionContext") as EngineIntrinsics;
        // An -InputObject given on the command line is not a piped object: PowerShell binds none of its properties.
        fromPipeline = !cmdlet.MyInvocation.BoundParameters.ContainsKey(inputParameter);
        int n = shape.Slots.Length;
        defaults = new object?[n];
        for (int i = 0; i < n; i++) defaults[i] = shape.Slots[i].Get(cmdlet);
        found = new PSPropertyInfo?[n];
        rank = new int[n];
        deferred = new bool[n];
        boundNow = new bool[n];
        candidates = new int[n];
        BinderUnboundList.Remove(cmdlet);
    }

    /// <summary>
    /// The binder of <paramref name="cmdlet"/>'s piped objects, made in BeginProcessing: it saves the parameters'
    /// defaults then, and knows the -InputObject (<paramref name="inputParameter"/>) given on the command line.
    /// </summary>
    public static PipedRowBinder For(PSCmdlet cmdlet, string inputParameter) =>
        new(cmdlet, Shape.Of(cmdlet.GetType()), inputParameter);

    /// <summary>
    /// Binds the properties of <paramref name="row"/> (null when nothing was piped) to the parameters; false after
    /// writing the binding error that leaves the record out.
    /// </summary>
    public bool Bind(PSObject? row)
    {
        var bound = cmdlet.MyInvocation.BoundParameters;
        // The previous record's parameters go back to their defaults: now those this one does not bind (below), at
        // once when this record binds nothing.
        foreach (int i in boundLast) bound.Remove(shape.Slots[i].Name);
        cells.Clear();
        cellsRead = false;
        if (row is null || !fromPipeline)
        {
            Unbind();
            return true;
        }

        var slots = shape.Slots;
        int count = 0;
        if (row.BaseObject is PSCustomObject && RowProperties.Of(row, shape.AllNames, cells))
        {
            // A row (pscustomobject, Import-Csv): its properties once, matched by name once for its shape (a
            // parameter's own name outranks its aliases, as in the binder's lookup).
            cellsRead = true;
            if (rowShape is null || !rowShape.Fits(cells)) rowShape = RowShape.Of(cells, shape.Names, cmdlet.GetType());
            var map = rowShape;
            for (int k = 0; k < map.Slots.Length; k++)
            {
                found[map.Slots[k]] = cells[map.Cells[k]];
                candidates[count++] = map.Slots[k];
            }
        }
        else
        {
            // Any other object (an OomTask, a class instance): the binder's own lookup, name then aliases.
            for (int i = slots.Length - 1; i >= 0; i--)
            {
                found[i] = null;
                foreach (var name in slots[i].Names)
                {
                    if (row.Properties[name] is { } property)
                    {
                        found[i] = property;
                        candidates[count++] = i;
                        break;
                    }
                }
            }
        }

        // Without coercion first, then with it; each pass in the binder's order (the unbound parameters, last first).
        for (int k = 0; k < count; k++)
        {
            int i = candidates[k];
            deferred[i] = false;
            var property = found[i]!;
            if (bound.ContainsKey(slots[i].Name)) continue;
            object? value = property.Value;
            if (value == AutomationNull.Value) continue;
            if (!Transform(slots[i], value, row, out var transformed)) return Unbind();
            if (Uncoerced(slots[i], ref transformed))
            {
                if (!Commit(i, transformed, row)) return Unbind();
            }
            else deferred[i] = true;
        }
        for (int k = 0; k < count; k++)
        {
            int i = candidates[k];
            if (!deferred[i]) continue;
            if (!Transform(slots[i], found[i]!.Value, row, out var transformed)) return Unbind();
            if (Coerce(slots[i].Type, transformed, out var coerced) && !Commit(i, coerced, row)) return Unbind();
        }
        Unbind();
        return true;
    }

    /// <summary>
    /// Puts back the defaults of the parameters the previous record bound and this one did not; false, for a record
    /// left out.
    /// </summary>
    private bool Unbind()
    {
        foreach (int i in boundLast)
            if (!boundNow[i]) shape.Slots[i].Set(cmdlet, defaults[i]);
        boundLast.Clear();
        for (int i = 0; i < boundNow.Length; i++)
        {
            if (!boundNow[i]) continue;
            boundLast.Add(i);
            boundNow[i] = false;
        }
        return false;
    }

    /// <summary>
    /// <see cref="PipedRow.Refuse(PSCmdlet, PSObject?, long)"/> for the record just bound, on the properties
    /// already read when the row is a pscustomobject.
    /// </summary>
    public bool Refuse(PSObject? row, long index) =>
        (!cellsRead || HasText(rowShape!.Checked)) && PipedRow.Refuse(cmdlet, row, index, cellsRead ? cells : null);

    /// <summary>
    /// Whether one of the row's cells at <paramref name="positions"/> holds text that is not blank, the only cells
    /// <see cref="PipedRow.Unbound(PSCmdlet, IEnumerable{PSPropertyInfo})"/> may find that cannot bind.
    /// </summary>
    private bool HasText(int[] positions)
    {
        foreach (int c in positions)
        {
            object? value;
            try { value = cells[c].Value; }
            catch (GetValueException) { continue; }
            if (value is PSObject { BaseObject: var b }) value = b;
            if (value is string s && !string.IsNullOrWhiteSpace(s)) return true;
        }
        return false;
    }

    private bool Transform(Slot slot, object? value, PSObject row, out object? result)
    {
        result = value;
        foreach (var transformation in slot.Transformations)
        {
            if (result is null && !slot.CannotBeNull && !transformation.TransformNullOptionalParameters) continue;
            try { result = transformation.Transform(engine!, result); }
            catch (Exception e)
            {
                Fail(slot, e, row, "Cannot process argument transformation on parameter '{0}'. {1}", "ParameterArgumentTransformationError");
                return false;
            }
        }
        return true;
    }

    /// <summary>ShouldContinueUncoercedBind: the value is of the parameter's type already (a PSObject's base may be).</summary>
    private static bool Uncoerced(Slot slot, ref object? value)
    {
        var type = slot.Type;
        if (value is null) return !type.IsValueType && type != typeof(string);
        var valueType = value.GetType();
        if (valueType == type || valueType == slot.Underlying || type.IsInstanceOfType(value)) return true;
        if (value is PSObject pso && type.IsInstanceOfType(pso.BaseObject))
        {
            value = pso.BaseObject;
            return true;
        }
        return false;
    }

    /// <summary>CoerceTypeAsNeeded, for scalar parameters: false where the binder's coercion fails.</summary>
    private static bool Coerce(Type type, object? value, out object? result)
    {
        result = null;
        if (value is null || value == AutomationNull.Value)
        {
            if (type == typeof(bool)) return false;
            if (type == typeof(SwitchParameter)) result = SwitchParameter.Present;
            return true;
        }
        if (type.IsAssignableFrom(value.GetType()))
        {
            result = value;
            return true;
        }
        if (type == typeof(bool) || type == typeof(bool?) || type == typeof(SwitchParameter))
        {
            var b = value is PSObject pso ? pso.BaseObject : value;
            if (b is SwitchParameter sw) b = sw.IsPresent;
            bool? truth = b switch
            {
                bool x => x,
                int x => x != 0,
                sbyte or byte or short or ushort or uint or long or ulong or float or double or decimal =>
                    Convert.ToDouble(b, CultureInfo.InvariantCulture) != 0,
                _ => null,
            };
            if (truth is not { } t) return false;
            result = type == typeof(SwitchParameter) ? new SwitchParameter(t) : t;
            return true;
        }
        var unwrapped = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (unwrapped is System.Collections.IList && type != typeof(object) && !type.IsEnum)
            return false;
        // A whole number to a page count, as LanguagePrimitives converts it (Pages' explicit operator from long),
        // without its conversion lookup: the common cell of a row of page counts.
        if ((type == typeof(Engine.Units.Pages?) || type == typeof(Engine.Units.Pages)) && unwrapped is int or long)
        {
            result = new Engine.Units.Pages(Convert.ToInt64(unwrapped, CultureInfo.InvariantCulture));
            return true;
        }
        try
        {
            result = LanguagePrimitives.ConvertTo(value, type, CultureInfo.CurrentCulture);
            return true;
        }
        catch (PSInvalidCastException)
        {
            return false;
        }
    }

    /// <summary>Validates and sets one parameter; false after writing the validation error that leaves the record out.</summary>
    private bool Commit(int i, object? value, PSObject row)
    {
        var slot = shape.Slots[i];
        for (int v = 0; v < slot.Validations.Length; v++)
        {
            if (slot.Quick[v].Passes(value)) continue;
            try { Validate(slot.Validations[v], value, engine!); }
            catch (Exception e)
            {
                Fail(slot, e, row, "Cannot validate argument on parameter '{0}'. {1}", "ParameterArgumentValidationError");
                return false;
            }
        }
        try { slot.Set(cmdlet, value); }
        catch (Exception e) when (e is NullReferenceException or InvalidCastException or ArgumentException)
        {
            return true;   // SetValueException: the binder leaves the parameter unbound
        }
        cmdlet.MyInvocation.BoundParameters[slot.Name] = value;
        boundNow[i] = true;
        return true;
    }

    /// <summary>
    /// The common cases that pass without asking the attribute (whose Validate converts and compares through
    /// LanguagePrimitives): an int inside an int [ValidateRange], text that is not empty for [ValidateNotNullOrEmpty].
    /// Anything else is asked; a failure always is, for the attribute's own message. Worked out once per attribute.
    /// </summary>
    private readonly struct QuickCheck
    {
        private readonly int kind, min, max;

        private QuickCheck(int kind, int min, int max)
        {
            this.kind = kind;
            this.min = min;
            this.max = max;
        }

        public static QuickCheck Of(ValidateArgumentsAttribute validation) => validation switch
        {
            ValidateRangeAttribute { MinRange: int min, MaxRange: int max } => new QuickCheck(1, min, max),
            ValidateNotNullOrEmptyAttribute => new QuickCheck(2, 0, 0),
            _ => default,
        };

        public bool Passes(object? value) => kind switch
        {
            1 => value is int v && v >= min && v <= max,
            2 => value is string { Length: > 0 },
            _ => false,
        };
    }

    private void Fail(Slot slot, Exception e, PSObject row, string format, string errorId)
    {
        var message = string.Format(CultureInfo.CurrentCulture, format, slot.Name, e.Message);
        cmdlet.WriteError(new ErrorRecord(new ParameterBindingException(message, e), errorId, ErrorCategory.InvalidData, row));
    }

    /// <summary>ValidateArgumentsAttribute.Validate is protected; the binder calls it through InternalValidate.</summary>
    private static readonly Action<ValidateArgumentsAttribute, object?, EngineIntrinsics> Validate =
        (Action<ValidateArgumentsAttribute, object?, EngineIntrinsics>)Delegate.CreateDelegate(
            typeof(Action<ValidateArgumentsAttribute, object?, EngineIntrinsics>),
            typeof(ValidateArgumentsAttribute).GetMethod("Validate", BindingFlags.Instance | BindingFlags.NonPublic)!);

    private sealed class Slot
    {
        public Slot(PropertyInfo property)
        {
            Name = property.Name;
            Type = property.PropertyType;
            Underlying = Nullable.GetUnderlyingType(Type);
            var names = new List<string> { property.Name };
            foreach (var alias in property.GetCustomAttributes<AliasAttribute>()) names.AddRange(alias.AliasNames);
            Names = names.ToArray();
            Transformations = new List<ArgumentTransformationAttribute>(property.GetCustomAttributes<ArgumentTransformationAttribute>()).ToArray();
            Validations = new List<ValidateArgumentsAttribute>(property.GetCustomAttributes<ValidateArgumentsAttribute>()).ToArray();
            foreach (var v in Validations) CannotBeNull |= v is ValidateNotNullAttribute or ValidateNotNullOrEmptyAttribute;
            Quick = Array.ConvertAll(Validations, QuickCheck.Of);

            var target = Expression.Parameter(typeof(object));
            var value = Expression.Parameter(typeof(object));
            var member = Expression.Property(Expression.Convert(target, property.DeclaringType!), property);
            Get = Expression.Lambda<Func<object, object?>>(Expression.Convert(member, typeof(object)), target).Compile();
            Set = Expression.Lambda<Action<object, object?>>(
                Expression.Assign(member, Expression.Convert(value, property.PropertyType)), target, value).Compile();
        }

        public string Name { get; }
        public Type Type { get; }
        public Type? Underlying { get; }
        public string[] Names { get; }
        public ArgumentTransformationAttribute[] Transformations { get; }
        public ValidateArgumentsAttribute[] Validations { get; }
        public QuickCheck[] Quick { get; }
        public bool CannotBeNull { get; }
        public Func<object, object?> Get { get; }
        public Action<object, object?> Set { get; }
    }

    private sealed class Shape
    {
        private static readonly Dictionary<Type, Shape> cache = new();

        private Shape(Type type)
        {
            var slots = new List<Slot>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (property.GetCustomAttribute<ByPropertyNameAttribute>() is not null) slots.Add(new Slot(property));
            Slots = slots.ToArray();
            Names = new Dictionary<string, (int, int)>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < Slots.Length; i++)
                for (int r = 0; r < Slots[i].Names.Length; r++) Names[Slots[i].Names[r]] = (i, r);
            AllNames = new List<string>(Names.Keys).ToArray();
        }

        public Slot[] Slots { get; }
        public Dictionary<string, (int Slot, int Rank)> Names { get; }
        public string[] AllNames { get; }

        public static Shape Of(Type type)
        {
            lock (cache)
            {
                if (!cache.TryGetValue(type, out var shape)) cache[type] = shape = new Shape(type);
                return shape;
            }
        }
    }
}
