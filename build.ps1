#Requires -Version 7.2
<#
.SYNOPSIS
    Build, test or demo the OomTools module.
.DESCRIPTION
    Build : dotnet build src/OomTools, stage an importable module in out/OomTools.
    Test  : Build, then xunit (tests/OomTools.Engine.Tests), Pester 5 (tests/Pester) and the format check
            (dotnet format --verify-no-changes against .editorconfig: one test, failed when a file would change).
            Last line of output is "N passed, M failed, K skipped"; exit code 1 if M > 0.
    Demo  : Build, then run examples/quickstart.ps1 in a fresh process.
    Package: Build, then out/OomTools.<version>.nupkg, the module package PSResourceGet installs (Publish-PSResource
            to a file-system repository made for the call).
    Run as: dotnet tool restore; dotnet pwsh ./build.ps1 <Task>
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package')]
    [string]$Task = 'Build',
    [string]$Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# Non-zero native exit codes are checked explicitly below, never turned into exceptions.
$PSNativeCommandUseErrorActionPreference = $false
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'

$ModuleOut     = Join-Path $PSScriptRoot 'out/OomTools'
$ResultsDir    = Join-Path $PSScriptRoot 'out/TestResults'
$TestToolsProj = Join-Path $PSScriptRoot 'tests/tools/TestTools.csproj'

# The one place for the Pester version is the PackageDownload in tests/tools/TestTools.csproj (an exact
# version in brackets), which restores it; build.ps1 reads it from there.
function Get-PesterVersion {
    $node = ([xml](Get-Content -LiteralPath $TestToolsProj -Raw)).SelectSingleNode("/Project/ItemGroup/PackageDownload[@Include='Pester']")
    if ($node -and $node.GetAttribute('Version') -match '^\[([^\],]+)\]$') { return $Matches[1] }
    throw "No exact Pester version (PackageDownload Include=""Pester"" Version=""[x.y.z]"") in $TestToolsProj."
}

function Invoke-Build {
    Write-Host "==> dotnet build src/OomTools ($Configuration)"
    # -v q still prints errors and warnings; the summary says which project failed.
    dotnet build src/OomTools/OomTools.csproj -c $Configuration -nologo -v q
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed (exit code $LASTEXITCODE)." }

    $binDir = "src/OomTools/bin/$Configuration/netstandard2.0"
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path "$ModuleOut/en-US" -Force

    # Only our two assemblies: the output folder also holds the PowerShellStandard
    # reference assembly (System.Management.Automation.dll), which must never ship.
    foreach ($name in 'OomTools', 'OomTools.Engine') {
        Copy-Item "$binDir/$name.dll" $ModuleOut
        if (Test-Path "$binDir/$name.xml") { Copy-Item "$binDir/$name.xml" $ModuleOut }
    }
    # Manifest, format/type files and help are optional until they are written.
    Get-ChildItem -Path 'module/*' -File -Include '*.psd1', '*.ps1xml' -ErrorAction Ignore |
        Copy-Item -Destination $ModuleOut
    # Help: module/help/en-US/*.md -> en-US/OomTools.dll-Help.xml + about_OomTools.help.txt. A child process,
    # because the converter imports the staged module and this session must never load the dll.
    Write-Host '==> help (module/help/ConvertTo-MamlHelp.ps1)'
    dotnet pwsh -NoProfile -NonInteractive -File module/help/ConvertTo-MamlHelp.ps1 -ModulePath $ModuleOut -OutputPath "$ModuleOut/en-US"
    if ($LASTEXITCODE -ne 0) { throw "Help conversion failed (exit code $LASTEXITCODE)." }
    # Windows PowerShell 5.1 reads a BOM-less text file in the ANSI code page: every staged text file with a
    # non-ASCII character (help, about topic, the compiler's XML docs) gets a UTF-8 BOM. Last staging step.
    & "$PSScriptRoot/module/Add-Utf8Bom.ps1" -Path $ModuleOut |
        ForEach-Object { Write-Host "==> UTF-8 BOM: $([System.IO.Path]::GetRelativePath($ModuleOut, $_))" }

    $manifest = "$ModuleOut/OomTools.psd1"
    if (Test-Path $manifest) {
        $m = Test-ModuleManifest $manifest
        Write-Host "==> staged $($m.Name) $($m.Version) in out/OomTools"
    } else {
        Write-Warning 'module/OomTools.psd1 not found; staged assemblies only.'
    }
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    # Prints "global-packages: <path>"; honours NuGet.config globalPackagesFolder.
    $line = dotnet nuget locals global-packages --list 2>$null |
        Where-Object { $_ -match '^\s*global-packages:\s*(.+?)\s*$' } | Select-Object -First 1
    if ($line -and $line -match '^\s*global-packages:\s*(.+?)\s*$') { return $Matches[1] }
    return Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages'
}

# Native output is piped to Out-Host in functions that return counts, otherwise it
# would become part of the function's return value.
function Invoke-XunitTests {
    Write-Host '==> dotnet test tests/OomTools.Engine.Tests'
    $trx = Join-Path $ResultsDir 'xunit.trx'
    dotnet test tests/OomTools.Engine.Tests -c $Configuration -nologo `
        --logger 'trx;LogFileName=xunit.trx' --results-directory $ResultsDir | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path $trx)) {
        Write-Warning "xunit: no $trx (build failed or test host crashed); counting 1 failure."
        return @{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
    $c = (Select-Xml -Path $trx -XPath '//t:ResultSummary/t:Counters' -Namespace $ns).Node
    # GetAttribute returns '' for a missing attribute ([int]'' is 0); StrictMode-safe.
    $passed = [int]$c.GetAttribute('passed')
    # 'error' = tests that could not run/complete (e.g. host crash) - count them as failures.
    $failed = [int]$c.GetAttribute('failed') + [int]$c.GetAttribute('error')
    # A skipped xunit test ([Fact(Skip = ...)]) is "notExecuted" in the TRX; one skipped at run time
    # ([SkippableFact], e.g. the seed check when ../shared is absent) is only missing from "executed".
    $skipped = [Math]::Max([int]$c.GetAttribute('notExecuted'), [int]$c.GetAttribute('total') - [int]$c.GetAttribute('executed'))
    if ($exitCode -ne 0 -and $failed -eq 0) {
        Write-Warning "xunit: dotnet test exited $exitCode without failed tests in the TRX; counting 1 failure."
        $failed = 1
    }
    return @{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-PesterTests {
    $PesterVersion = Get-PesterVersion
    Write-Host "==> Pester $PesterVersion (tests/Pester)"
    # Restoring this project puts the Pester NuGet package into the global packages folder
    # (the PowerShell Gallery is not used).
    dotnet restore tests/tools/TestTools.csproj -nologo -v q | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore tests/tools/TestTools.csproj failed (exit code $LASTEXITCODE)." }
    $pesterPsd1 = Join-Path (Get-NuGetPackagesFolder) "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pesterPsd1)) { throw "Pester not found at $pesterPsd1 after restore." }

    # A fresh process: Pester tests import the staged module, and a loaded binary
    # module can never be unloaded from this session.
    $counts = Join-Path $ResultsDir 'pester-counts.json'
    dotnet pwsh -NoProfile -NonInteractive -File tests/Invoke-PesterRun.ps1 `
        -PesterPath $pesterPsd1 -ResultPath (Join-Path $ResultsDir 'pester.xml') -CountsPath $counts | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path $counts)) {
        Write-Warning "Pester: run crashed (exit code $exitCode) and left no counts; counting 1 failure."
        return @{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    $r = Get-Content $counts -Raw | ConvertFrom-Json
    $failed = [int]$r.Failed
    if ($exitCode -ne 0 -and $failed -eq 0) { $failed = 1 }
    return @{ Passed = [int]$r.Passed; Failed = $failed; Skipped = [int]$r.Skipped }
}

# The C# against .editorconfig, as one test: it fails, naming the files, when `dotnet format` would change any.
# The bench project is not in the solution, so it is checked on its own. Fix with `dotnet format <target>`.
function Invoke-FormatCheck {
    $targets = 'OomTools.sln', 'bench/OomTools.Bench/OomTools.Bench.csproj'
    Write-Host "==> dotnet format --verify-no-changes ($($targets -join ', '))"
    $files = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::Ordinal)
    $broken = $false
    foreach ($target in $targets) {
        $out = @(dotnet format $target --verify-no-changes -v q 2>&1 | ForEach-Object { "$_" })
        $exitCode = $LASTEXITCODE
        # Each drift is "<file>(line,col): error <RULE>: <message> [<project>]".
        $found = @($out | Where-Object { $_ -match '^(.+?)\(\d+,\d+\): (error|warning) [A-Z]' } |
                ForEach-Object { [System.IO.Path]::GetRelativePath($PSScriptRoot, ($_ -replace '\(\d+,\d+\): .*$', '')) })
        foreach ($f in $found) { $null = $files.Add($f) }
        if ($exitCode -ne 0 -and -not $found) {
            # Not a drift: format could not load or restore the project. Show why.
            $out | Out-Host
            Write-Warning "format: dotnet format $target exited $exitCode without naming a file."
            $broken = $true
        }
    }
    if ($files.Count) {
        Write-Host "format: $($files.Count) file(s) differ from .editorconfig (fix: dotnet format OomTools.sln):"
        $files | ForEach-Object { Write-Host "  $_" }
    }
    $failed = [int]($broken -or $files.Count -gt 0)
    return @{ Passed = 1 - $failed; Failed = $failed; Skipped = 0 }
}

function Invoke-Package {
    <# out/OomTools.<version>.nupkg: the staged module published by PSResourceGet to a file-system repository made
       for the call (a child pwsh, since this session must never load the dll). #>
    Invoke-Build
    $version = (Test-ModuleManifest "$ModuleOut/OomTools.psd1").Version
    $repo = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-repo-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $repo
    try {
        $script = {
            param($Module, $Repo, $Name)
            $ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name $Name -Uri $Repo -Trusted
            try { Publish-PSResource -Path $Module -Repository $Name }
            finally { Unregister-PSResourceRepository -Name $Name }
        }
        $name = "OomToolsBuild$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        dotnet pwsh -NoProfile -NonInteractive -c "& { $script } '$((Resolve-Path $ModuleOut).Path)' '$repo' '$name'"
        if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource failed (exit code $LASTEXITCODE)." }
        $package = Join-Path $repo "OomTools.$version.nupkg"
        if (-not (Test-Path $package)) { throw "Publish-PSResource wrote no OomTools.$version.nupkg." }
        Copy-Item $package out/ -Force
        Write-Host "==> wrote out/OomTools.$version.nupkg"
    } finally {
        Remove-Item $repo -Recurse -Force -ErrorAction Ignore
    }
}

Push-Location $PSScriptRoot
try {
    $exitCode = 0
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' {
            # Always end with the summary line, even if the build or a restore throws.
            $x = @{ Passed = 0; Failed = 0; Skipped = 0 }; $p = $x.Clone(); $f = $x.Clone()
            try {
                Invoke-Build
                if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }   # no stale TRX/counts
                $null = New-Item -ItemType Directory -Path $ResultsDir
                $x = Invoke-XunitTests
                $p = Invoke-PesterTests
                $f = Invoke-FormatCheck
            } catch {
                $Host.UI.WriteErrorLine("ERROR: $_")
                $x.Failed++
            }
            $all = $x, $p, $f
            Write-Host "xunit  - passed $($x.Passed), failed $($x.Failed), skipped $($x.Skipped)"
            Write-Host "Pester - passed $($p.Passed), failed $($p.Failed), skipped $($p.Skipped)"
            Write-Host "format - passed $($f.Passed), failed $($f.Failed)"
            $failed = ($all.Failed | Measure-Object -Sum).Sum
            Write-Host "$(($all.Passed | Measure-Object -Sum).Sum) passed, $failed failed, $(($all.Skipped | Measure-Object -Sum).Sum) skipped"
            $exitCode = [int]($failed -gt 0)
        }
        'Package' { Invoke-Package }
        'Demo' {
            Invoke-Build
            Write-Host '==> examples/quickstart.ps1'
            dotnet pwsh -NoProfile -File examples/quickstart.ps1
            $exitCode = $LASTEXITCODE
        }
    }
} finally {
    Pop-Location
}
exit $exitCode
