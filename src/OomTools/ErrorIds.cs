namespace OomTools;

/// <summary>
/// Error ids of the cmdlets' own checks. Engine refusals use the name of the engine's OomError
/// (DuplicatePid, TaskNotFound, CgroupNotFound, NegativeSize, ...). The FullyQualifiedErrorId is
/// "Id,OomTools.Commands.VerbNounCommand".
/// </summary>
public static class ErrorIds
{
    /// <summary>
    /// A value that does not parse (a FormatException): a -GfpMask, -Nodemask or node list, an oom_score_adj text, a
    /// machine JSON document.
    /// </summary>
    public const string InvalidFormat = "InvalidFormat";
    /// <summary>
    /// An argument refused by the cmdlet or by .NET (an ArgumentException): both or neither of -Value and -OomAdj, no
    /// process named to Set/Remove-OomTask, an object that is not a machine.
    /// </summary>
    public const string InvalidArgument = "InvalidArgument";
    /// <summary>
    /// A -Name (or -Critical) wildcard pattern that does not parse, such as '[': a WildcardPatternException, refused
    /// before anything is read or changed.
    /// </summary>
    public const string InvalidNamePattern = "InvalidNamePattern";
    /// <summary>
    /// A piped row's cell that does not convert to (or validate as) the parameter it names, such as Pid='abc' or
    /// AnonRss='lots' from Import-Csv: the row is refused, naming the row and the property; the other rows go on.
    /// </summary>
    public const string InvalidPropertyValue = "InvalidPropertyValue";
    /// <summary>
    /// Input that is not text (InvalidData): a log whose 16 MiB in a row are mostly NULs or undecodable bytes
    /// (/dev/zero, /dev/urandom, a binary file), a machine file with a NUL byte.
    /// </summary>
    public const string NotText = "NotText";
    /// <summary>
    /// Input past a reading bound (LimitsExceeded): a log line with no line end in 64 MiB, a machine file over 1 GB.
    /// </summary>
    public const string InputTooLarge = "InputTooLarge";
    /// <summary>
    /// Any other failure turned into an ErrorRecord: a fault in OomTools, not a refusal of the input.
    /// </summary>
    public const string Unexpected = "UnexpectedError";
    /// <summary>
    /// No -Machine was given, none came from the pipeline and the session has no current machine (InvalidOperation):
    /// one is made current by New-OomMachine, Get-OomSnapshot, Import-OomMachine or Set-OomCurrentMachine.
    /// </summary>
    public const string NoCurrentMachine = "NoCurrentMachine";
    /// <summary>Set-OomScoreAdj -Live: a piped object that is not a task of a snapshot of this boot of this host.</summary>
    public const string NotFromThisHost = "NotFromThisHost";
    /// <summary>Set-OomScoreAdj -Live: a snapshot's pid that is now another process (its start time changed), or none.</summary>
    public const string ProcessChanged = "ProcessChanged";
    /// <summary>Set-OomScoreAdj -Live: a write that needs confirmation in a session where no one can give it.</summary>
    public const string ConfirmationRequired = "ConfirmationRequired";
    /// <summary>Set-OomScoreAdj -Live: a -ProcRoot that is not a folder of the file system.</summary>
    public const string ProcRootNotFileSystem = "ProcRootNotFileSystem";
    /// <summary>Watch-OomEvent: the kernel log (/dev/kmsg, journalctl or -Path) cannot be opened or read (ReadError).</summary>
    public const string WatchSourceUnavailable = "WatchSourceUnavailable";
    /// <summary>Watch-OomEvent: the -Action script block failed for an event (OperationStopped); the watch goes on.</summary>
    public const string WatchActionFailed = "WatchActionFailed";
}
