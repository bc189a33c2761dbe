using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace OomTools;

/// <summary>
/// Where the Export-* cmdlets write: -Path (wildcards must match one existing file) or -LiteralPath resolved to
/// a file-system path, and the write itself with Export-Clixml's rules: -NoClobber never replaces a file,
/// -Force replaces a read-only one. Text is UTF-8 without a byte-order mark.
/// </summary>
internal static class OutputFile
{
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The file-system path to write to; an ErrorRecord (never an exception) when there is none.</summary>
    public static string? Resolve(PSCmdlet cmdlet, string path, bool literal, out ErrorRecord? error)
    {
        error = null;
        try
        {
            string full;
            ProviderInfo provider;
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                List<string> matches;
                try { matches = new List<string>(cmdlet.GetResolvedProviderPathFromPSPath(path, out provider)); }
                catch (ItemNotFoundException) { matches = new List<string>(); provider = null!; }
                if (matches.Count != 1)
                {
                    error = new ErrorRecord(new IOException(
                        $"The path '{path}' has wildcard characters and matches {matches.Count} files; it must match exactly one existing file. Use -LiteralPath for a name with [ ] * or ?."),
                        "AmbiguousPath", ErrorCategory.InvalidArgument, path);
                    return null;
                }
                full = matches[0];
            }
            else full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);

            if (provider is not null && !string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                error = new ErrorRecord(new IOException($"'{path}' is on the {provider.Name} provider; give a file-system path."),
                    "NotFileSystemPath", ErrorCategory.InvalidArgument, path);
                return null;
            }
            if (Directory.Exists(full))
            {
                error = new ErrorRecord(new IOException($"'{full}' is a folder; give a file name."), "PathIsFolder", ErrorCategory.InvalidArgument, path);
                return null;
            }
            return full;
        }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            error = new ErrorRecord(e, "InvalidPath", ErrorCategory.InvalidArgument, path);
            return null;
        }
    }

    /// <summary>Writes <paramref name="text"/>; an ErrorRecord when the file cannot be written.</summary>
    public static FileInfo? Write(string full, string text, bool force, bool noClobber, out ErrorRecord? error) =>
        Write(full, writer =>
        {
            writer.Write(text);
            if (!text.EndsWith("\n", StringComparison.Ordinal)) writer.Write('\n');
        }, force, noClobber, out error);

    /// <summary>
    /// Writes what <paramref name="write"/> writes, as it writes it (a document too big for one string); an
    /// ErrorRecord when the file cannot be written. When <paramref name="write"/> throws, the partial file is removed.
    /// </summary>
    public static FileInfo? Write(string full, Action<TextWriter> write, bool force, bool noClobber, out ErrorRecord? error)
    {
        error = null;
        try
        {
            var info = new FileInfo(full);
            if (info.Exists)
            {
                if (noClobber)
                {
                    error = new ErrorRecord(new IOException($"The file '{full}' already exists, and -NoClobber was given."),
                        "FileExists", ErrorCategory.ResourceExists, full);
                    return null;
                }
                if (force && info.IsReadOnly) info.IsReadOnly = false;
            }
            using (var stream = new FileStream(full, noClobber ? FileMode.CreateNew : FileMode.Create, FileAccess.Write, FileShare.Read))
            using (var writer = new StreamWriter(stream, Utf8))
            {
                try { write(writer); }
                catch
                {
                    writer.Dispose();
                    File.Delete(full);
                    throw;
                }
            }
            info.Refresh();
            return info;
        }
        catch (IOException e) when (noClobber && File.Exists(full))
        {
            error = new ErrorRecord(e, "FileExists", ErrorCategory.ResourceExists, full);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            error = new ErrorRecord(e, "FileWriteError", ErrorCategory.WriteError, full);
            return null;
        }
    }

    /// <summary>Reads a whole text file (UTF-8, or what its byte-order mark says).</summary>
    public static string Read(string full) => File.ReadAllText(full, Utf8);

    /// <summary>
    /// The existing files -Path (wildcards) or -LiteralPath name; each missing one or folder is reported through
    /// <paramref name="onError"/>.
    /// </summary>
    public static List<string> ResolveExisting(PSCmdlet cmdlet, string[] paths, bool literal, Action<ErrorRecord> onError)
    {
        var result = new List<string>();
        foreach (var p in paths)
        {
            try
            {
                IEnumerable<string> found = literal
                    ? new[] { cmdlet.GetUnresolvedProviderPathFromPSPath(p) }
                    : cmdlet.GetResolvedProviderPathFromPSPath(p, out _);
                bool any = false;
                foreach (var f in found)
                {
                    any = true;
                    if (Directory.Exists(f)) onError(new ErrorRecord(new IOException($"'{f}' is a folder; give the machine files in it (for example {f}/*.json)."), "PathIsFolder", ErrorCategory.InvalidArgument, p));
                    else if (!File.Exists(f)) onError(new ErrorRecord(new FileNotFoundException($"Cannot find the file '{f}'.", f), "FileNotFound", ErrorCategory.ObjectNotFound, p));
                    else result.Add(f);
                }
                if (!any) onError(new ErrorRecord(new FileNotFoundException($"No file matches '{p}'.", p), "FileNotFound", ErrorCategory.ObjectNotFound, p));
            }
            catch (ItemNotFoundException e)
            {
                onError(new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, p));
            }
            catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
            {
                onError(new ErrorRecord(e, "InvalidPath", ErrorCategory.InvalidArgument, p));
            }
        }
        return result;
    }
}
