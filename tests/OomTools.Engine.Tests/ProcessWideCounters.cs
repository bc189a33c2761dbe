using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// Tests that assert a score table is still current: any change made elsewhere in the process with no ambient
/// machine (another test class building its machines, say) moves the process-wide counter every stamp checks, so
/// such a test, run beside the others, would read "not current" now and then for a reason of its own. They run
/// alone.
/// </summary>
[CollectionDefinition(nameof(ProcessWideCounters), DisableParallelization = true)]
public sealed class ProcessWideCounters
{
}
