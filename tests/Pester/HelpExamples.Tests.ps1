# Every example in the help runs against the staged module and prints what the help shows
# (module/help/Test-HelpExample.ps1). One test case per example: the cases are read from the help markdown at
# discovery, the examples all run in one child process (the runner imports the binary module, and starting
# one process per example would cost a minute), and each case checks its own example's result.
BeforeDiscovery {
    # The "### title" headings under "## EXAMPLES", outside code fences, as Test-HelpExample.ps1 reads them.
    $exampleCases = foreach ($file in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot '../../module/help/en-US') -Filter '*-*.md') {
        $inExamples = $false; $fence = $false
        foreach ($line in Get-Content -LiteralPath $file.FullName) {
            if ($line -match '^\s*```') { $fence = -not $fence; continue }
            if ($fence) { continue }
            if ($line -match '^##\s+(.+)') { $inExamples = $Matches[1] -eq 'EXAMPLES'; continue }
            if ($inExamples -and $line -match '^###\s+(.+)') { @{ Page = $file.BaseName; Title = $Matches[1] } }
        }
    }
    $exampleCases = @($exampleCases)
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    $script:RunnerPath = Join-Path $script:RepoRoot 'module/help/Test-HelpExample.ps1'
    $module = Join-Path $script:RepoRoot 'out/OomTools'
    $out = @(dotnet pwsh -NoProfile -NonInteractive -File $script:RunnerPath -ModulePath $module 2>&1 | ForEach-Object { "$_" })

    # "PASS|FAIL <page>: <title>", then that example's error and expected/actual lines, up to the next one.
    $script:ExampleResults = @{}; $script:RunnerSummary = $null; $script:RunnerPreamble = ''
    $current = $null
    foreach ($line in $out) {
        if ($line -match '^(PASS|FAIL) ([^:]+): (.+)$') {
            $current = @{ Passed = $Matches[1] -eq 'PASS'; Details = [System.Collections.Generic.List[string]]::new() }
            $script:ExampleResults["$($Matches[2]): $($Matches[3].TrimEnd())"] = $current
        }
        elseif ($line -match '^\d+ examples, \d+ failed$') { $script:RunnerSummary = $line; $current = $null }
        elseif ($current) { $current.Details.Add($line) }
        else { $script:RunnerPreamble += "$line`n" }   # anything before the first example: a crash, a load error
    }
}

Describe 'The help examples' {
    It 'are all run by the runner, each title once per page' -ForEach @(@{ Cases = $exampleCases }) {
        $script:RunnerSummary | Should -Match "^$($Cases.Count) examples, \d+ failed$" -Because "$script:RunnerPreamble"
        @($Cases | Group-Object { "$($_.Page): $($_.Title)" } | Where-Object Count -GT 1 | ForEach-Object Name) -join ', ' |
            Should -BeNullOrEmpty -Because 'the runner keys examples by title, so a repeated title would hide one'
    }

    It '<Page>: <Title> runs without errors and prints the output its help page shows' -ForEach $exampleCases {
        $result = $script:ExampleResults["${Page}: $($Title.TrimEnd())"]
        $result | Should -Not -BeNullOrEmpty -Because "the runner must report this example ($script:RunnerPreamble)"
        $result.Passed | Should -BeTrue -Because ($result.Details -join [Environment]::NewLine)
    }
}
