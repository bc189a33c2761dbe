# PowerShell remoting over SSH, for real: an OpenSSH server on 127.0.0.1 (tests/Pester/sshd.ps1 sets it up in a
# temp folder; .ci/run installs it), the `powershell` subsystem running this run's pwsh, sessions that import
# the staged module by name and snapshot this host. What comes back is what a fleet audit gets from each host:
# Deserialized.OomTools.Engine.Model.OomMachine property bags, which Import-OomMachine turns into machines.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/sshd.ps1
    $script:root = Join-Path ([IO.Path]::GetTempPath()) "oomtools-remoting-$PID-$(Get-Random)"
    $script:sshd = Start-TestSshd -Root $root -ModulesPath (Join-Path $RepoRoot 'out')
    $script:skipWhy = $sshd.SkipReason
    # Splatted into New-PSSession and Invoke-Command: port, user, the test's key, no known_hosts.
    $script:conn = @{ Port = $sshd.Port; UserName = $sshd.UserName; KeyFilePath = $sshd.KeyFilePath; Options = $sshd.Options }
    $script:sessions = @()

    function Select-Machine($Objects) { @($Objects | Where-Object { $_.pstypenames -contains 'Deserialized.OomTools.Engine.Model.OomMachine' }) }
}

AfterAll {
    if ($sessions) { $sessions | Remove-PSSession -ErrorAction Ignore }
    Stop-TestSshd $sshd
    if (Test-Path $root) { Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction Ignore }
}

Describe 'Invoke-Command -HostName over SSH' {
    It 'brings back this host''s Get-OomSnapshot from a pwsh that sshd started, and Import-OomMachine makes it a machine' {
        if ($skipWhy) { Set-ItResult -Skipped -Because $skipWhy; return }
        $out = @(Invoke-Command -HostName localhost @conn -ErrorAction Stop {
                Import-Module OomTools -ErrorAction Stop
                # Who runs this: the remote pwsh and its parents, up to the sshd that started it.
                $chain = [System.Collections.Generic.List[string]]::new()
                $p = $PID
                while ($p -gt 1 -and $chain.Count -lt 8) {
                    $status = Get-Content -Raw "/proc/$p/status"
                    $chain.Add([regex]::Match($status, '(?m)^Name:\s*(.+)$').Groups[1].Value.Trim())
                    $p = [int][regex]::Match($status, '(?m)^PPid:\s*(\d+)').Groups[1].Value
                }
                [pscustomobject]@{ Pid = $PID; Chain = $chain -join ' < '; Module = (Get-Module OomTools).ModuleBase }
                Get-OomSnapshot -WarningAction SilentlyContinue
            })
        $info = $out | Where-Object { $_.PSObject.Properties['Chain'] }
        $info.Pid | Should -Not -Be $PID -Because 'the block ran in another process'
        $info.Chain | Should -Match '< sshd\b' -Because "sshd started the remote pwsh ($($info.Chain))"
        $info.Module | Should -Be (Resolve-Path (Join-Path $RepoRoot 'out/OomTools')).Path -Because 'Import-Module OomTools found the staged module by name'

        $wire = Select-Machine $out
        $wire.Count | Should -Be 1
        $wire[0].PSComputerName | Should -Be 'localhost'
        $wire[0].pstypenames[0] | Should -Be 'Deserialized.OomTools.Engine.Model.OomMachine'
        $machine = $wire | Import-OomMachine
        $machine | Should -BeOfType OomTools.Engine.Model.OomMachine
        Export-OomMachine -Machine $machine | Should -BeExactly $wire[0].Json -Because 'the machine is rebuilt as it left the host'
        $machine.Tasks.Pid | Should -Contain $info.Pid -Because 'the snapshot was taken on the remote side, where the remote pwsh runs'
        $machine.Tasks.Pid | Should -Contain $PID -Because 'the remote side is this host, where this test runs'
    }

    It 'fans out to 4 sessions at once (-ThrottleLimit 4): each snapshot comes back, is imported and audited as on its host' {
        if ($skipWhy) { Set-ItResult -Skipped -Because $skipWhy; return }
        $script:sessions = @(1..4 | ForEach-Object { New-PSSession -HostName 127.0.0.1 @conn -ErrorAction Stop })
        $sessions.Count | Should -Be 4
        $barrier = Join-Path $root 'barrier'
        $null = New-Item -ItemType Directory -Path $barrier -Force

        $out = @(Invoke-Command -Session $sessions -ThrottleLimit 4 -ErrorAction Stop -ArgumentList $barrier {
                param($Barrier)
                Import-Module OomTools -ErrorAction Stop
                # Each session waits here until all four have arrived: they only all get past it when they run at once.
                $null = New-Item -ItemType File -Path (Join-Path $Barrier $PID)
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (@(Get-ChildItem -LiteralPath $Barrier).Count -lt 4 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                $met = @(Get-ChildItem -LiteralPath $Barrier).Count
                $m = Get-OomSnapshot -WarningAction SilentlyContinue
                # The audit as the host itself sees it, to compare with the one made on the machine that came back.
                $audit = @(Test-OomProtection -Machine $m -Name sshd, dotnet -Kills 2 |
                        ForEach-Object { '{0} {1} rank={2} at={3} protected={4} maxsafe={5}' -f $_.Pid, $_.Name, $_.Rank, $_.KillPosition, $_.Protected, $_.MaxSafeOomScoreAdj })
                [pscustomobject]@{ Pid = $PID; Met = $met; Audit = $audit -join "`n" }
                $m
            })
        $infos = @($out | Where-Object { $_.PSObject.Properties['Met'] })
        $infos.Count | Should -Be 4
        @($infos.Pid | Sort-Object -Unique).Count | Should -Be 4 -Because 'each session is its own remote pwsh'
        $infos.Met | Should -Be @(4, 4, 4, 4) -Because 'all four sessions ran at the same time'

        $wire = Select-Machine $out
        $wire.Count | Should -Be 4
        foreach ($w in $wire) {
            $w.PSComputerName | Should -Be '127.0.0.1'
            $info = $infos | Where-Object RunspaceId -EQ $w.RunspaceId
            $machine = $w | Import-OomMachine
            Export-OomMachine -Machine $machine | Should -BeExactly $w.Json
            foreach ($other in $infos.Pid) { $machine.Tasks.Pid | Should -Contain $other -Because 'the four remote pwsh processes were all alive at each snapshot' }
            $audit = @(Test-OomProtection -Machine $machine -Name sshd, dotnet -Kills 2 |
                    ForEach-Object { '{0} {1} rank={2} at={3} protected={4} maxsafe={5}' -f $_.Pid, $_.Name, $_.Rank, $_.KillPosition, $_.Protected, $_.MaxSafeOomScoreAdj })
            $audit.Count | Should -BeGreaterOrEqual 2 -Because 'sshd and the pwsh processes (dotnet) are on the host'
            $audit -join "`n" | Should -BeExactly $info.Audit -Because 'the machine that came back audits as the host did'
        }
    }

    It 'examples/fleet-audit.ps1 -HostName audits 4 hosts collected over SSH, 4 at once' {
        if ($skipWhy) { Set-ItResult -Skipped -Because $skipWhy; return }
        $reports = Join-Path $root 'fleet'
        $options = ($conn.Options.GetEnumerator() | ForEach-Object { "$($_.Key) = '$($_.Value)'" }) -join '; '
        # -Command, not -File: -SSHOption is a hashtable. The same sshd given as four hosts (two names, twice each).
        $example = Join-Path $RepoRoot 'examples/fleet-audit.ps1'
        $command = "& '$example' -HostName 127.0.0.1, localhost, 127.0.0.1, localhost -ThrottleLimit 4 -Port $($conn.Port) " +
        "-UserName '$($conn.UserName)' -KeyFilePath '$($conn.KeyFilePath)' -SSHOption @{ $options } -HostCritical sshd -Kills 1 " +
        "-OutputDirectory '$reports'; exit `$LASTEXITCODE"
        $output = dotnet pwsh -NoProfile -NonInteractive -Command $command 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because "the example printed:`n$output"
        $output | Should -Match 'Collecting 4 host\(s\) over SSH remoting, up to 4 at once'
        $output | Should -Match 'Fleet audit of 4 hosts'
        @(Get-ChildItem -LiteralPath $reports -Filter *.html).Name | Sort-Object | Should -Be (@('127.0.0.1.html', '127.0.0.1-2.html', 'localhost.html', 'localhost-2.html') | Sort-Object)
        foreach ($json in Get-ChildItem -LiteralPath $reports -Filter *.json) {
            (Import-OomMachine -LiteralPath $json.FullName).Tasks.Pid | Should -Contain $PID -Because 'each host snapshot is of this host, where this test runs'
        }
    }
}
