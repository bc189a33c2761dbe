# Every example in the help runs against the staged module and prints what the help shows (module/help/Test-HelpExample.ps1).
BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'The help examples' {
    It 'run without errors and print the output their help page shows' {
        $script = Join-Path $script:RepoRoot 'module/help/Test-HelpExample.ps1'
        $module = Join-Path $script:RepoRoot 'out/OomTools'
        $out = @(dotnet pwsh -NoProfile -NonInteractive -File $script -ModulePath $module 2>&1 | ForEach-Object { "$_" })
        $summary = $out | Where-Object { $_ -match '^\d+ examples, \d+ failed$' } | Select-Object -Last 1
        $failures = ($out | Where-Object { $_ -like 'FAIL *' }) -join [Environment]::NewLine
        $summary | Should -Match '^\d+ examples, 0 failed$' -Because $failures
    }
}
