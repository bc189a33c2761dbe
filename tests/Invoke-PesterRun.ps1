#Requires -Version 7.2
<#
.SYNOPSIS
    Runs the Pester 5 tests in tests/Pester. Called by build.ps1 in a fresh process.
.DESCRIPTION
    Writes NUnit XML to -ResultPath and {"Passed":n,"Failed":m,"Skipped":k} to -CountsPath
    (default: pester-counts.json next to the result file). Failed includes failed
    blocks and containers, so a test file that cannot even be loaded counts as a failure.
    Exit code 1 if anything failed.
#>
param(
    [Parameter(Mandatory)] [string]$PesterPath,
    [Parameter(Mandatory)] [string]$ResultPath,
    [string]$CountsPath = (Join-Path (Split-Path $ResultPath) 'pester-counts.json'),
    [string]$TestPath = (Join-Path $PSScriptRoot 'Pester')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Pester throws on an empty/missing folder; a suite that silently vanished is a failure.
if (-not (Get-ChildItem -Path $TestPath -Filter '*.Tests.ps1' -Recurse -File -ErrorAction Ignore)) {
    Write-Host "No *.Tests.ps1 files found under $TestPath; counting 1 failure."
    '{"Passed":0,"Failed":1,"Skipped":0}' | Set-Content -Path $CountsPath -Encoding utf8
    exit 1
}

Import-Module $PesterPath -Force

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
# The NUnit file is written after the counts, not by Invoke-Pester itself: a failure message the XML writer
# cannot take (control characters, e.g. ANSI colours from a child process) must not lose the run's counts.
$config.TestResult.Enabled = $false

$result = Invoke-Pester -Configuration $config

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } | ConvertTo-Json -Compress |
    Set-Content -Path $CountsPath -Encoding utf8
try { $result | Export-NUnitReport -Path $ResultPath }
catch { Write-Warning "Pester: the NUnit report could not be written ($($_.Exception.Message)); the counts stand." }

exit ([int]($failed -gt 0))
