using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// The kernel's <c>K()</c> macro: <paramref name="pages"/> in kB at this machine's page size, as the OOM
    /// report's lines print them.
    /// </summary>
    public long K(long pages) => new Pages(pages).ToKibibytes(PageSize).Value;

    /// <summary><c>mm_pgtables_bytes() / PAGE_SIZE</c>: page-table bytes as whole pages.</summary>
    public long PageTablePages(long pageTableBytes) => new Bytes(pageTableBytes).ToPages(PageSize).Value;
}
