# Shared set-up for the OomTools Pester tests. Every *.Tests.ps1 file dot-sources this inside BeforeAll:
#
#     BeforeAll { . $PSScriptRoot/common.ps1 }
#
# It imports the staged module (run `./build.ps1 Build` first) and defines a few helpers. Expected numbers
# are NOT computed here: each test works them out by hand (4096-byte pages: 1GB = 262144 pages,
# 16GB of RAM = 4194304 pages).

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifestPath = Join-Path $PSScriptRoot '../../out/OomTools/OomTools.psd1'
Import-Module $script:ModuleManifestPath -Force -ErrorAction Stop

# The cmdlets the module exports ($OomCmdletNames), read from the manifest: the one list.
. $PSScriptRoot/cmdlets.ps1

function Get-OomMachineState {
    <#
    .SYNOPSIS
        A text snapshot of everything about a machine that an OOM kill, an add, a change or a removal could
        alter. Two equal snapshots mean the machine was left as it was.
    #>
    param([Parameter(Mandatory)] $Machine)
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("tasks=$($Machine.Tasks.Count) log=$($Machine.Log.Count) victims=$($Machine.OomVictims) kills=$($Machine.OomKillCount) panic=$($Machine.PanicMessage)")
    foreach ($t in $Machine.Tasks) {
        $mm = $t.Mm
        $mmText = if ($null -eq $mm) { 'no-mm' } else {
            "anon=$($mm.AnonPages) file=$($mm.FilePages) shmem=$($mm.ShmemPages) swap=$($mm.SwapEntries) pgt=$($mm.PageTableBytes) vm=$($mm.TotalVm) flags=$($mm.Flags) users=$($mm.Users)"
        }
        $lines.Add(("{0} {1} uid={2} adj={3} memcg={4} cpuset={5} exiting={6} groupexit={7} memdie={8} victim={9} frozen={10} reaper={11} {12}" -f
                $t.Pid, $t.Comm, $t.Uid, $t.OomScoreAdj, $t.Memcg.Path, $t.Cpuset.Path, $t.Exiting, $t.GroupExiting,
                $t.MemDie, $t.IsOomVictim, $t.Frozen, $t.ReaperTimerExpires, $mmText))
    }
    foreach ($cg in $Machine.Cgroups) {
        $lines.Add("cgroup $($cg.Path) max=$($cg.MemoryMax) tasks=$(@($cg.Tasks | ForEach-Object Pid) -join ',') oom_kill=$($cg.OomKillEvents) group_kill=$($cg.OomGroupKillEvents)")
    }
    foreach ($cs in ($Machine.Cpusets | Sort-Object Path)) {
        $lines.Add("cpuset $($cs.Path) mems=$($cs.Mems) hardwall=$($cs.Hardwall)")
    }
    $lines -join "`n"
}

function Get-OomLogText {
    <# .SYNOPSIS The text of a machine's (or an outcome's) log lines, without timestamps. #>
    param([Parameter(Mandatory)] $Entries)
    @($Entries | ForEach-Object { $_.Text })
}

function Invoke-ChildProcess {
    <#
    .SYNOPSIS
        Runs a program to its end with its output captured: ExitCode, StdOut, StdErr and TimedOut (the process tree
        is killed after -TimeoutSeconds; ExitCode is then -1). The one way the tests start a child process.
    #>
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [string] $WorkingDirectory = $script:RepoRoot,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 300
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.WorkingDirectory = $WorkingDirectory
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    # Both pipes drained at once, so neither fills up while the other is read.
    $stdout = $p.StandardOutput.ReadToEndAsync()
    $stderr = $p.StandardError.ReadToEndAsync()
    $timedOut = -not $p.WaitForExit($TimeoutSeconds * 1000)
    if ($timedOut) { try { $p.Kill($true) } catch { } }
    $p.WaitForExit()
    [pscustomobject]@{
        ExitCode = if ($timedOut) { -1 } else { $p.ExitCode }
        StdOut   = $stdout.Result
        StdErr   = $stderr.Result
        TimedOut = $timedOut
    }
}
