namespace OomTools;

/// <summary>
/// Error ids of the cmdlets' own checks. Engine refusals use the name of the engine's OomError
/// (DuplicatePid, TaskNotFound, CgroupNotFound, NegativeSize, ...). The FullyQualifiedErrorId is
/// "Id,OomTools.Commands.VerbNounCommand".
/// </summary>
public static class ErrorIds
{
    public const string InvalidFormat = "InvalidFormat";
    public const string InvalidArgument = "InvalidArgument";
    public const string Unexpected = "UnexpectedError";
}
