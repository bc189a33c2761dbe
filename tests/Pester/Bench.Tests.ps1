# bench/Invoke-Bench.ps1 -Quick end to end: every goal row of issue 13 is measured and printed with its goal,
# figure, ratio and verdict. A structural check of the instrument, never a timing assertion: at -Quick sizes the
# figures mean nothing, and whether a goal is met is not tested here.

BeforeAll {
    . $PSScriptRoot/common.ps1
    # A fresh pwsh (this one's pwsh.dll), from the clone's root, on the module already staged by build.ps1.
    $run = Invoke-ChildProcess -FilePath dotnet -ArgumentList (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'bench/Invoke-Bench.ps1'), '-Quick', '-NoBuild' `
        -TimeoutSeconds 1800
    $script:BenchOutput = $run.StdOut
    $script:BenchErrors = $run.StdErr
    $script:BenchExit = $run.ExitCode
    $script:BenchLines = @($BenchOutput -split "`r?`n")
}

Describe 'bench/Invoke-Bench.ps1 -Quick' {
    It 'exits 0: every measurement was made and every baseline agreed with the figure on the result' {
        $BenchExit | Should -Be 0 -Because "its output ends:`n$(($BenchLines | Select-Object -Last 30) -join "`n")`n$BenchErrors"
    }

    It 'prints row <Number> (<Name>) with its goal, figure, ratio and verdict' -ForEach @(
        @{ Number = 1; Name = 'select' }, @{ Number = 2; Name = 'whatif' }, @{ Number = 3; Name = 'badness' },
        @{ Number = 4; Name = 'addtask' }, @{ Number = 5; Name = 'import' }, @{ Number = 6; Name = 'json' },
        @{ Number = 7; Name = 'storm' }, @{ Number = 8; Name = 'memory' }, @{ Number = 9; Name = 'fleet' }
    ) {
        $row = @($BenchLines | Where-Object { $_.StartsWith("[$Number] $Name ") })
        $row.Count | Should -Be 1 -Because "the summary holds one line per row:`n$(($BenchLines | Where-Object { $_ -match '^\[' }) -join "`n")"
        $row[0] | Should -Match ': figure .+; ratio .+; goal .+ — (meets goal|MISSES goal)$'
    }

    It 'prints the machine it ran on and the count of goals met' {
        $BenchLines | Where-Object { $_ -match '^==> at the start: machine: \d+ cores \(nproc\), .+, load average ' } | Should -Not -BeNullOrEmpty
        $BenchLines | Where-Object { $_ -match '^==> \d of 9 goals met$' } | Should -Not -BeNullOrEmpty
    }
}
