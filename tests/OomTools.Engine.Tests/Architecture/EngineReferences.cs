using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>
/// Reads an assembly with Mono.Cecil into a <see cref="NamespaceGraph"/> of its engine namespaces: every type
/// (a nested or compiler-generated one counts for its outermost declaring type) and what it refers to in base
/// types, interfaces, fields, properties, events, method signatures, generic arguments and constraints, custom
/// attributes, locals, exception handlers and every instruction operand of every method body.
/// </summary>
internal sealed class EngineReferences
{
    private readonly string rootNamespace;
    private readonly NamespaceGraph graph = new();
    private string from = "";
    private string where = "";

    private EngineReferences(string rootNamespace) => this.rootNamespace = rootNamespace;

    public static NamespaceGraph Read(string assemblyPath, string rootNamespace)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        var reader = new EngineReferences(rootNamespace);
        foreach (var type in assembly.MainModule.Types)
        {
            if (reader.Folder(type.Namespace) is not { } folder) continue;
            reader.from = folder;
            reader.graph.AddNode(folder);
            reader.VisitType(type);
        }
        return reader.graph;
    }

    /// <summary>The folder of a namespace of the engine; null for one outside it (compiler-embedded attributes).</summary>
    private string? Folder(string ns)
    {
        if (ns == rootNamespace) return NamespaceGraph.Root;
        return ns.StartsWith(rootNamespace + ".", System.StringComparison.Ordinal) ? ns.Substring(rootNamespace.Length + 1) : null;
    }

    private void VisitType(TypeDefinition t)
    {
        where = t.FullName;
        Attributes(t);
        Type(t.BaseType);
        foreach (var i in t.Interfaces) { Type(i.InterfaceType); Attributes(i); }
        foreach (var g in t.GenericParameters) Generic(g);
        foreach (var f in t.Fields) { where = $"{t.FullName}.{f.Name}"; Type(f.FieldType); Attributes(f); }
        foreach (var p in t.Properties)
        {
            where = $"{t.FullName}.{p.Name}";
            Type(p.PropertyType);
            Attributes(p);
            foreach (var par in p.Parameters) Type(par.ParameterType);
        }
        foreach (var e in t.Events) { where = $"{t.FullName}.{e.Name}"; Type(e.EventType); Attributes(e); }
        foreach (var m in t.Methods) Method(t, m);
        foreach (var nested in t.NestedTypes) VisitType(nested);
    }

    private void Method(TypeDefinition owner, MethodDefinition m)
    {
        where = $"{owner.FullName}.{m.Name}";
        Attributes(m);
        Type(m.ReturnType);
        Attributes(m.MethodReturnType);
        foreach (var p in m.Parameters) { Type(p.ParameterType); Attributes(p); }
        foreach (var g in m.GenericParameters) Generic(g);
        foreach (var o in m.Overrides) MethodRef(o);
        if (!m.HasBody) return;
        foreach (var v in m.Body.Variables) Type(v.VariableType);
        foreach (var h in m.Body.ExceptionHandlers) Type(h.CatchType);
        foreach (var ins in m.Body.Instructions)
        {
            switch (ins.Operand)
            {
                case TypeReference tr: Type(tr); break;
                case MethodReference mr: MethodRef(mr); break;
                case FieldReference fr: Type(fr.DeclaringType); Type(fr.FieldType); break;
                case CallSite cs: Type(cs.ReturnType); foreach (var p in cs.Parameters) Type(p.ParameterType); break;
            }
        }
    }

    private void MethodRef(MethodReference mr)
    {
        Type(mr.DeclaringType);
        Type(mr.ReturnType);
        foreach (var p in mr.Parameters) Type(p.ParameterType);
        if (mr is GenericInstanceMethod gim) foreach (var a in gim.GenericArguments) Type(a);
    }

    private void Generic(GenericParameter g)
    {
        foreach (var c in g.Constraints) { Type(c.ConstraintType); Attributes(c); }
        Attributes(g);
    }

    private void Attributes(ICustomAttributeProvider provider)
    {
        if (!provider.HasCustomAttributes) return;
        foreach (var a in provider.CustomAttributes)
        {
            MethodRef(a.Constructor);
            foreach (var arg in a.ConstructorArguments.Concat(a.Fields.Select(f => f.Argument)).Concat(a.Properties.Select(p => p.Argument)))
            {
                Type(arg.Type);
                if (arg.Value is TypeReference typeofArg) Type(typeofArg);
            }
        }
    }

    private void Type(TypeReference? tr)
    {
        switch (tr)
        {
            case null or GenericParameter: return;
            case GenericInstanceType git:
                foreach (var a in git.GenericArguments) Type(a);
                Type(git.ElementType);
                return;
            case FunctionPointerType fp:
                Type(fp.ReturnType);
                foreach (var p in fp.Parameters) Type(p.ParameterType);
                return;
            case TypeSpecification spec: Type(spec.ElementType); return;
        }
        var top = tr;
        while (top.DeclaringType is not null) top = top.DeclaringType;
        // Only this module's own types: a reference into another assembly has an AssemblyNameReference scope.
        if (tr.Scope is not ModuleDefinition) return;
        if (Folder(top.Namespace) is { } to) graph.AddEdge(from, to, $"{where} uses {tr.FullName}");
    }
}
