using OomTools.Engine.Model;

namespace OomTools.Engine.PageAlloc;

/// <summary>Reaches a machine's allocation paths as <c>machine.PageAllocator</c> (C#).</summary>
public static class PageAllocExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>The page allocator and memcg charge path of this machine.</summary>
        public PageAllocator PageAllocator => new(machine);
    }
}
