# Issue 11, case 4: a current machine. -Machine may be omitted; it then means the session's current machine, set by
# the last New-OomMachine, Get-OomSnapshot or Import-OomMachine (not Import-OomReport), kept per runspace.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Fixture = Join-Path $RepoRoot 'tests/fixtures/host-proc'
    $script:ReportLog = Join-Path $RepoRoot 'tests/fixtures/kernel-logs/public/25-parseoom-debian11-5.10-clamd-global-hugepages.log'

    # The session with no current machine, as a fresh one starts.
    function Clear-CurrentMachine { Remove-Variable -Name OomCurrentMachine -Scope Global -ErrorAction Ignore }
    function Test-Same($a, $b) { [object]::ReferenceEquals($a, $b) }
}

Describe 'Get-OomCurrentMachine' {
    BeforeEach { Clear-CurrentMachine }
    AfterAll { Clear-CurrentMachine }

    Context 'the machine it names' {
        It 'writes nothing, and no error, when the session has none' {
            Get-OomCurrentMachine -ErrorVariable errs | Should -BeNullOrEmpty
            $errs | Should -BeNullOrEmpty
        }

        It 'is the machine New-OomMachine wrote last' {
            $a = New-OomMachine -Name a
            Test-Same (Get-OomCurrentMachine) $a | Should -BeTrue
            $b = New-OomMachine -Name b
            Test-Same (Get-OomCurrentMachine) $b | Should -BeTrue
        }

        It 'is the machine Get-OomSnapshot read' {
            $null = New-OomMachine -Name before
            $snap = Get-OomSnapshot -ProcRoot "$Fixture/proc" -CgroupRoot "$Fixture/cgroup" -Name saved -WarningAction SilentlyContinue
            Test-Same (Get-OomCurrentMachine) $snap | Should -BeTrue
        }

        It 'is the last machine Import-OomMachine rebuilt, from JSON or from a live machine (its copy)' {
            $source = New-OomMachine -Name source
            $copy = Import-OomMachine -Json (Export-OomMachine -Machine $source)
            Test-Same (Get-OomCurrentMachine) $copy | Should -BeTrue
            $copies = @($source, (New-OomMachine -Name other) | Import-OomMachine)
            Test-Same (Get-OomCurrentMachine) $copies[1] | Should -BeTrue
        }

        It 'is not changed by Import-OomReport: a report''s machine is not the one being worked on' {
            $m = New-OomMachine -Name mine
            $report = Import-OomReport -LiteralPath $ReportLog
            $report.Machine | Should -Not -BeNullOrEmpty
            Test-Same (Get-OomCurrentMachine) $m | Should -BeTrue
        }

        It 'is not set by Import-OomReport in a session that has none' {
            $null = Import-OomReport -LiteralPath $ReportLog
            Get-OomCurrentMachine | Should -BeNullOrEmpty
        }
    }

    Context 'as the default of -Machine' {
        It 'is what a cmdlet works on when -Machine is left out' {
            $a = New-OomMachine -Name a
            $b = New-OomMachine -Name b
            Add-OomTask -Pid 100 -Name nginx -AnonRss 100MB
            $b.TaskCount | Should -Be 1
            $a.TaskCount | Should -Be 0
            (Get-OomTask).Pid | Should -Be 100
            (Get-OomBadness).Pid | Should -Be 100
            (Invoke-OutOfMemory -WhatIf).Victim.Pid | Should -Be 100
        }

        It 'gives way to -Machine and to a machine piped in' {
            $a = New-OomMachine -Name a
            Add-OomTask -Pid 7 -Name only-a
            $null = New-OomMachine -Name b
            (Get-OomTask -Machine $a).Pid | Should -Be 7
            ($a | Get-OomTask).Pid | Should -Be 7
            Get-OomTask | Should -BeNullOrEmpty
        }

        It 'is read per piped record: a record without a machine gets the current one' {
            $a = New-OomMachine -Name a
            Add-OomTask -Pid 7 -Name in-a
            $b = New-OomMachine -Name b
            Add-OomTask -Pid 8 -Name in-b
            # An outcome carries the machine it ran on; the row names only a pid.
            $outcome = Invoke-OutOfMemory -Machine $a -WhatIf
            @($outcome, [pscustomobject]@{ Pid = 8 }, $a) | Get-OomTask | ForEach-Object Pid | Should -Be @(7, 8, 7)
        }
    }

    Context 'with no machine at all' {
        It '<Line> stops with NoCurrentMachine (InvalidOperation), not a prompt' -ForEach @(
            @{ Line = 'Get-OomTask' }
            @{ Line = 'Add-OomTask -Name x' }
            @{ Line = 'Invoke-OutOfMemory' }
            @{ Line = 'Set-OomScoreAdj -Pid 1 -Value 5' }
        ) {
            $err = $null
            try { Invoke-Expression $Line } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'NoCurrentMachine,OomTools.Commands.*'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -BeLike 'No machine: give -Machine, or create one with New-OomMachine, Get-OomSnapshot or Import-OomMachine*'
        }

        It 'still takes a machine from the pipeline or a report''s machine' {
            $report = Import-OomReport -LiteralPath $ReportLog
            ($report.Machine | Get-OomTask -Pid 517).Comm | Should -Be 'clamd'
            ($report | Get-OomBadness -Pid 517).Pid | Should -Be 517
        }
    }

    Context 'one per runspace' {
        It 'is not shared with a ForEach-Object -Parallel runspace' {
            $null = New-OomMachine -Name main
            $seen = 1 | ForEach-Object -Parallel {
                Import-Module $using:ModuleManifestPath
                $current = Get-OomCurrentMachine
                $err = try { Get-OomTask; 'no error' } catch { $_.FullyQualifiedErrorId }
                [pscustomobject]@{ Current = $current; Error = $err }
            }
            $seen.Current | Should -BeNullOrEmpty
            $seen.Error | Should -BeLike 'NoCurrentMachine,*'
            (Get-OomCurrentMachine).Name | Should -Be 'main'
        }

        It 'is not left behind for the next script block a reused runspace runs' {
            $names = 1..3 | ForEach-Object -ThrottleLimit 1 -Parallel {
                Import-Module $using:ModuleManifestPath
                $before = (Get-OomCurrentMachine).Name
                $null = New-OomMachine -Name "m$_"
                "$_ saw [$before] and made $((Get-OomCurrentMachine).Name)"
            }
            $names | Should -Be @('1 saw [] and made m1', '2 saw [] and made m2', '3 saw [] and made m3')
        }

        It 'changes only the runspace that sets it' {
            $mine = New-OomMachine -Name mine
            $null = 1 | ForEach-Object -Parallel { Import-Module $using:ModuleManifestPath; $null = New-OomMachine -Name theirs }
            Test-Same (Get-OomCurrentMachine) $mine | Should -BeTrue
        }
    }

    Context '$OomCurrentMachine' {
        It 'holds the current machine, in the global scope' {
            $m = New-OomMachine -Name v
            Test-Same (Get-Variable -Name OomCurrentMachine -Scope Global -ValueOnly) $m | Should -BeTrue
        }

        It 'refuses anything but a machine or $null' {
            $m = New-OomMachine -Name v
            { $global:OomCurrentMachine = 'web01' } | Should -Throw
            Test-Same (Get-OomCurrentMachine) $m | Should -BeTrue
            $global:OomCurrentMachine = $null
            Get-OomCurrentMachine | Should -BeNullOrEmpty
        }
    }
}
