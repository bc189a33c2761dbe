using System.Management.Automation;

namespace OomTools.Should;

/// <summary>
/// The Pester 5 operators a runbook asserts OOM protection with: <c>Should -SurviveOom</c> (the processes picked
/// by -Name, -ProcessId or -Cgroup survive the first -Count OOMs) and <c>Should -BeKilledBefore</c> (a process of
/// -Name dies in an earlier OOM than every process of the other). The machine is the value piped to Should. Both
/// run Test-OomProtection and fail with its verdict: who dies in which OOM, after whom, and by how much.
/// </summary>
internal static class ShouldOperators
{
    /// <summary>Should -SurviveOom's test block (Pester passes ActualValue, Negate and CallerSessionState).</summary>
    internal const string SurviveOom = """
        param($ActualValue, [switch] $Negate, $Name, $ProcessId, $Cgroup, $Count = 1, $Because, $CallerSessionState)
        $because = if ($Because) { " because $Because," } else { '' }
        $what = @(@($Name) + @($ProcessId | Where-Object { $null -ne $_ } | ForEach-Object { "pid $_" }) + @($Cgroup) | Where-Object { $_ }) -join ', '
        if ($ActualValue -isnot [OomTools.Engine.Model.OomMachine]) {
            return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected an OomTools machine (New-OomMachine, Get-OomSnapshot, Import-OomMachine) piped to Should -SurviveOom,$because but got $(if ($null -eq $ActualValue) { '$null' } else { $ActualValue.GetType().FullName })." }
        }
        if (-not $what) {
            return [pscustomobject]@{ Succeeded = $false; FailureMessage = 'Should -SurviveOom needs the processes: -Name, -ProcessId or -Cgroup.' }
        }
        $p = @{ Machine = $ActualValue; Kills = [int]$Count }
        if ($Name) { $p.Name = [string[]]$Name }
        if ($null -ne $ProcessId) { $p.Pid = [int[]]$ProcessId }
        if ($Cgroup) { $p.Cgroup = [string]$Cgroup }
        $rows = @(OomTools\Test-OomProtection @p -ErrorAction SilentlyContinue -ErrorVariable missing)
        if ($missing.Count -gt 0 -or $rows.Count -eq 0) {
            $why = if ($missing.Count -gt 0) { $missing[0].Exception.Message } else { "no process of $what on machine '$($ActualValue.Name)'." }
            return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected $what to survive the first $Count OOM(s),$because but $why" }
        }
        $domain = if ($rows[0].Domain -eq 'global') { 'global OOMs' } else { "OOMs of memory cgroup $($rows[0].Domain)" }
        $dying = @($rows | Where-Object { -not $_.Protected })
        $succeeded = $dying.Count -eq 0
        if ($Negate) { $succeeded = -not $succeeded }
        $message = if ($succeeded) { $null }
            elseif ($Negate) { "Expected $what not to survive the first $Count $domain,$because but it does: " + (@($rows | ForEach-Object Verdict) -join '; ') + '.' }
            else { "Expected $what to survive the first $Count $domain,$because but " + (@($dying | ForEach-Object Verdict) -join '; ') + '.' }
        [pscustomobject]@{ Succeeded = $succeeded; FailureMessage = $message }
        """;

    /// <summary>Should -BeKilledBefore's test block: -Other (a name or a pid) is the process that must die later.</summary>
    internal const string BeKilledBefore = """
        param($ActualValue, [switch] $Negate, $Other, $Name, $ProcessId, $Cgroup, $Because, $CallerSessionState)
        $because = if ($Because) { " because $Because," } else { '' }
        $what = @(@($Name) + @($ProcessId | Where-Object { $null -ne $_ } | ForEach-Object { "pid $_" }) | Where-Object { $_ }) -join ', '
        $otherText = if ($Other -is [int]) { "pid $Other" } else { "$Other" }
        if ($ActualValue -isnot [OomTools.Engine.Model.OomMachine]) {
            return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected an OomTools machine (New-OomMachine, Get-OomSnapshot, Import-OomMachine) piped to Should -BeKilledBefore,$because but got $(if ($null -eq $ActualValue) { '$null' } else { $ActualValue.GetType().FullName })." }
        }
        if (-not $what -or $null -eq $Other -or "$Other" -eq '') {
            return [pscustomobject]@{ Succeeded = $false; FailureMessage = 'Should -BeKilledBefore needs the process that dies first (-Name or -ProcessId) and the other one (-Other, a name or a pid).' }
        }
        $common = @{ Machine = $ActualValue; Kills = 1; Detail = $true }
        if ($Cgroup) { $common.Cgroup = [string]$Cgroup }
        $pa = $common.Clone(); $pb = $common.Clone()
        if ($Name) { $pa.Name = [string[]]$Name }
        if ($null -ne $ProcessId) { $pa.Pid = [int[]]$ProcessId }
        if ($Other -is [int]) { $pb.Pid = [int]$Other } else { $pb.Name = [string]$Other }
        $missing = @()
        $a = @(OomTools\Test-OomProtection @pa -ErrorAction SilentlyContinue -ErrorVariable +missing)
        $b = @(OomTools\Test-OomProtection @pb -ErrorAction SilentlyContinue -ErrorVariable +missing)
        if ($missing.Count -gt 0 -or $a.Count -eq 0 -or $b.Count -eq 0) {
            $why = if ($missing.Count -gt 0) { $missing[0].Exception.Message } else { "no such process on machine '$($ActualValue.Name)'." }
            return [pscustomobject]@{ Succeeded = $false; FailureMessage = "Expected $what to be killed before $otherText,$because but $why" }
        }
        $order = { if ($null -eq $_.KillPosition) { [int]::MaxValue } else { $_.KillPosition } }
        $first = $a | Sort-Object $order | Select-Object -First 1
        $second = $b | Sort-Object $order | Select-Object -First 1
        $why = [OomTools.Engine.Audit.ProtectionVerdict]::KilledBefore($first, $second)
        $succeeded = $null -eq $why
        if ($Negate) { $succeeded = -not $succeeded }
        $message = if ($succeeded) { $null }
            elseif ($Negate) { "Expected $what not to be killed before $otherText,$because but $($first.Name) (pid $($first.Pid)) dies in OOM #$($first.KillPosition) and $(if ($null -eq $second.KillPosition) { "$($second.Name) (pid $($second.Pid)) never" } else { "$($second.Name) (pid $($second.Pid)) only in OOM #$($second.KillPosition)" })." }
            else { "Expected $what to be killed before $otherText,$because but $why." }
        [pscustomobject]@{ Succeeded = $succeeded; FailureMessage = $message }
        """;

    /// <summary>
    /// Registers both operators with the Pester 5 loaded in the current runspace; nothing when no Pester 5 is
    /// loaded. Registering again is a no-op (Pester ignores an operator whose test block is the same text).
    /// </summary>
    internal static void RegisterWithLoadedPester()
    {
        // Pester 5 loads its Pester.dll: without it in the process there is nothing to register with, and the import
        // need not parse, compile and run a script (every runspace of a ForEach-Object -Parallel imports the module).
        if (!PesterAssemblyLoaded()) return;
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript("""
            param($survive, $before)
            $pester = Get-Module Pester | Where-Object { $_.Version.Major -ge 5 } | Select-Object -First 1
            if (-not $pester) { return }
            & $pester { param($s, $b)
                if (-not $script:AssertionOperators.ContainsKey('SurviveOom')) { Add-ShouldOperator -Name SurviveOom -Test ([scriptblock]::Create($s)) }
                if (-not $script:AssertionOperators.ContainsKey('BeKilledBefore')) { Add-ShouldOperator -Name BeKilledBefore -Test ([scriptblock]::Create($b)) }
            } $survive $before
            """).AddArgument(SurviveOom).AddArgument(BeKilledBefore);
        ps.Invoke();
    }

    private static bool PesterAssemblyLoaded()
    {
        foreach (var assembly in System.AppDomain.CurrentDomain.GetAssemblies())
            if (string.Equals(assembly.GetName().Name, "Pester", System.StringComparison.Ordinal)) return true;
        return false;
    }
}

/// <summary>
/// Runs when the module is imported: registers the Pester operators when Pester 5 is already loaded (as it is
/// inside Invoke-Pester), so a runbook's tests can use them without a registering call.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    /// <summary>Registers Should -SurviveOom and Should -BeKilledBefore with a loaded Pester 5; never fails an import.</summary>
    public void OnImport()
    {
        try { ShouldOperators.RegisterWithLoadedPester(); }
        catch (System.Exception) { /* a Pester that refuses the operators must not stop the module from loading */ }
    }
}
