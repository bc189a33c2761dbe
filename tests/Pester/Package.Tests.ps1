# The module as a package: published by PSResourceGet to a file-system repository, installed from it into a
# temporary folder, and imported by name in a fresh pwsh that starts outside the clone.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $work = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-package-$([guid]::NewGuid().ToString('N'))"
    $repo = Join-Path $work 'repo'
    $install = Join-Path $work 'modules'
    $outside = Join-Path $work 'elsewhere'
    $null = New-Item -ItemType Directory -Path $repo, $install, $outside
    $repoName = "OomToolsTest$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $staged = Join-Path $RepoRoot 'out/OomTools'
    $version = (Test-ModuleManifest (Join-Path $staged 'OomTools.psd1')).Version

    Register-PSResourceRepository -Name $repoName -Uri $repo -Trusted
    Publish-PSResource -Path $staged -Repository $repoName
    Save-PSResource -Name OomTools -Repository $repoName -Path $install -TrustRepository

    function Invoke-Outside([string]$Script) {
        <# A fresh pwsh (this one's pwsh.dll, so no tool manifest is needed) in a folder outside the clone, whose
           module path is only the install folder. #>
        $run = Invoke-ChildProcess -FilePath dotnet -ArgumentList (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $Script `
            -WorkingDirectory $outside -Environment @{ PSModulePath = $install }
        if ($run.TimedOut) { return [pscustomobject]@{ ExitCode = -1; Output = 'timed out' } }
        [pscustomobject]@{ ExitCode = $run.ExitCode; Output = "$($run.StdOut)`n$($run.StdErr)" }
    }
}

AfterAll {
    Unregister-PSResourceRepository -Name $repoName -ErrorAction Ignore
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}

Describe 'the OomTools package' {
    It 'is published as OomTools.<version>.nupkg with the manifest''s version' {
        Join-Path $repo "OomTools.$version.nupkg" | Should -Exist
    }

    It 'installs with every file the module needs' {
        $base = Join-Path $install "OomTools/$version"
        foreach ($file in 'OomTools.psd1', 'OomTools.dll', 'OomTools.Engine.dll', 'OomTools.Format.ps1xml', 'OomTools.Types.ps1xml', 'en-US/OomTools.dll-Help.xml') {
            Join-Path $base $file | Should -Exist
        }
    }

    It 'imports by name outside the clone and runs the quickstart' {
        # The quickstart as a user would run it: the module imported by name, not from the clone's out/ folder.
        $quickstart = (Get-Content -LiteralPath (Join-Path $RepoRoot 'examples/quickstart.ps1') -Raw) -replace
            "Import-Module \(Join-Path \`$PSScriptRoot '\.\./out/OomTools/OomTools\.psd1'\) -Force", 'Import-Module OomTools'
        $quickstart | Should -Match '(?m)^Import-Module OomTools$'
        $script = Join-Path $outside 'quickstart.ps1'
        Set-Content -LiteralPath $script -Value ("(Get-Module -ListAvailable OomTools).ModuleBase`n" + $quickstart)
        $run = Invoke-Outside $script
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match ([regex]::Escape((Join-Path $install "OomTools")))
        $run.Output | Should -Match 'quickstart: every decision matched the hand calculation'
    }
}
