#Requires -Version 7.2
<#
.SYNOPSIS
    Runs every example of module/help/en-US/*.md against the staged module and checks its shown output.
.DESCRIPTION
    Each "### Example" runs in a fresh runspace with only the module imported: its ```powershell blocks are
    the script, and its ```output block (if any) must match what the script writes, formatted by
    Out-String -Width 200 with runs of spaces and blank lines ignored. An example fails when it writes an
    error or its output differs. Host-only text (What if: lines, Write-Host) is not captured.
    Run it in a child process, like the converter: it imports the binary module.
.EXAMPLE
    dotnet pwsh -NoProfile -File module/help/Test-HelpExample.ps1 -ModulePath out/OomTools
.EXAMPLE
    dotnet pwsh -NoProfile -File module/help/Test-HelpExample.ps1 -ModulePath out/OomTools -Name Add-OomTask -Show
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string]$ModulePath,
    [string]$SourcePath = (Join-Path $PSScriptRoot 'en-US'),
    # Only these help files (wildcards), e.g. Invoke-*.
    [string[]]$Name = '*',
    # Print every example's actual output (for writing the ```output blocks).
    [switch]$Show
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Name = $Name -split ','   # -File passes "a,b" as one string
$manifest = (Get-ChildItem -LiteralPath $ModulePath -Filter '*.psd1' | Select-Object -First 1).FullName
$normalize = { param($text) @(($text -split "`r?`n") | ForEach-Object { ($_ -replace '\s+', ' ').Trim() } | Where-Object { $_ }) }
$failed = 0; $count = 0

foreach ($file in Get-ChildItem -Path $SourcePath -Filter '*-*.md' | Where-Object { $n = $_.BaseName; $Name | Where-Object { $n -like $_ } }) {
    # Collect the examples: title -> code lines and output lines.
    $examples = [ordered]@{}; $inExamples = $false; $title = $null; $block = $null
    foreach ($line in Get-Content -LiteralPath $file.FullName) {
        if ($null -ne $block) {
            if ($line -match '^\s*```\s*$') { $block = $null } else { $examples[$title][$block].Add($line) }
            continue
        }
        if ($line -match '^##\s+(.+)') { $inExamples = $Matches[1] -eq 'EXAMPLES'; continue }
        if (-not $inExamples) { continue }
        if ($line -match '^###\s+(.+)') {
            $title = $Matches[1]
            $examples[$title] = @{ Code = [System.Collections.Generic.List[string]]::new(); Output = [System.Collections.Generic.List[string]]::new() }
        }
        elseif ($title -and $line -match '^\s*```(\w*)') { $block = if ($Matches[1] -in 'powershell', 'ps1', 'pwsh') { 'Code' } else { 'Output' } }
    }

    foreach ($title in $examples.Keys) {
        $count++
        $iss = [initialsessionstate]::CreateDefault2()
        $iss.ImportPSModule($manifest)
        $rs = [runspacefactory]::CreateRunspace($iss); $rs.Open()
        $ps = [powershell]::Create($rs)
        $null = $ps.AddScript('$PSStyle.OutputRendering = "PlainText"').Invoke(); $ps.Commands.Clear()
        $null = $ps.AddScript(($examples[$title].Code -join "`n")).AddCommand('Out-String').AddParameter('Width', 200)
        $actual = ''; $errors = @()
        try { $actual = -join $ps.Invoke(); $errors = @($ps.Streams.Error | ForEach-Object { "$_" }) }
        catch { $errors = @("$_") }
        finally { $ps.Dispose(); $rs.Dispose() }

        $expected = $examples[$title].Output
        $mismatch = $expected.Count -and ((& $normalize ($expected -join "`n")) -join "`n") -cne ((& $normalize $actual) -join "`n")
        $ok = -not $errors -and -not $mismatch
        if (-not $ok) { $failed++ }
        Write-Host ('{0} {1}: {2}' -f $(if ($ok) { 'PASS' } else { 'FAIL' }), $file.BaseName, $title)
        foreach ($e in $errors) { Write-Host "     error: $e" }
        if ($mismatch) { Write-Host "     expected:`n$($expected -join "`n")`n     actual:`n$actual" }
        elseif ($Show) { Write-Host $actual }
    }
}
Write-Host "$count examples, $failed failed"
exit [int]($failed -gt 0)
