namespace OomTools.Engine.Log;

/// <summary>
/// The values of one record kept for its <see cref="KernelLogFormat"/>: two strings and eight numbers, taken when the
/// line was printed (strings by reference, numbers by value: later changes to the task do not reach the text). A
/// fixed set of slots, so a record needs no allocation of its own; the format says what each slot holds.
/// </summary>
internal readonly struct KernelLogArgs
{
    internal KernelLogArgs(string? s0, string? s1 = null, long n0 = 0, long n1 = 0, long n2 = 0, long n3 = 0,
        long n4 = 0, long n5 = 0, long n6 = 0, long n7 = 0)
    {
        S0 = s0; S1 = s1; N0 = n0; N1 = n1; N2 = n2; N3 = n3; N4 = n4; N5 = n5; N6 = n6; N7 = n7;
    }

    internal readonly string? S0, S1;
    internal readonly long N0, N1, N2, N3, N4, N5, N6, N7;
}
