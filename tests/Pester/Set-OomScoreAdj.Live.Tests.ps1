BeforeDiscovery {
    $onLinuxHost = (Test-Path -LiteralPath '/proc/self/oom_score_adj') -and (Test-Path -LiteralPath '/proc/sys/kernel/random/boot_id')
    # Lowering oom_score_adj below its min needs CAP_SYS_RESOURCE (bit 24 of CapEff); root in a container may lack it.
    $hasSysResource = $false
    if ($onLinuxHost) {
        $capEff = (Get-Content /proc/self/status | Where-Object { $_ -match '^CapEff:' }) -replace '^CapEff:\s*', ''
        $hasSysResource = (([Convert]::ToUInt64($capEff, 16) -shr 24) -band 1) -eq 1
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    # A saved /proc with a boot id and one process, 4242, that started at tick 1000.
    function New-FakeProc([string]$Root, [string]$BootId = 'aaaaaaaa-0000-4000-8000-000000000001', [long]$Start = 1000) {
        $null = New-Item -ItemType Directory -Force -Path "$Root/sys/kernel/random", "$Root/4242"
        Set-Content -NoNewline -LiteralPath "$Root/meminfo" -Value "MemTotal:       16384000 kB`nSwapTotal:             0 kB`n"
        Set-Content -NoNewline -LiteralPath "$Root/sys/kernel/random/boot_id" -Value "$BootId`n"
        Set-Content -NoNewline -LiteralPath "$Root/4242/status" -Value "Name:`tweb`nState:`tS`nTgid:`t4242`nPid:`t4242`nPPid:`t1`nUid:`t1000`t1000`t1000`t1000`nVmSize:`t  102400 kB`nRssAnon:`t   51200 kB`nRssFile:`t       0 kB`nRssShmem:`t       0 kB`nVmPTE:`t     100 kB`nVmSwap:`t       0 kB`nThreads:`t1`n"
        Set-FakeStart $Root $Start
        Set-Content -NoNewline -LiteralPath "$Root/4242/oom_score_adj" -Value "0`n"
    }
    function Set-FakeStart([string]$Root, [long]$Start) {
        Set-Content -NoNewline -LiteralPath "$Root/4242/stat" -Value "4242 (web) S 1 4242 4242 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 $Start 104857600 12800 18446744073709551615 0`n"
    }
}

Describe 'Set-OomScoreAdj -Live writes only where it should' {
    BeforeEach {
        $proc = "$TestDrive/proc"
        Remove-Item -Recurse -Force -LiteralPath $proc -ErrorAction Ignore
        New-FakeProc $proc
        $snap = Get-OomSnapshot -ProcRoot $proc -CgroupRoot "$TestDrive/no-cgroups" -WarningAction SilentlyContinue
    }

    Context 'what Get-OomSnapshot records' {
        It 'keeps the boot id on the machine and the start time (stat field 22) on each task' {
            $snap.HostBootId | Should -Be 'aaaaaaaa-0000-4000-8000-000000000001'
            $snap.FindTask(4242).HostOrigin.StartTime | Should -Be 1000
            $snap.FindTask(4242).HostOrigin.BootId | Should -Be $snap.HostBootId
        }

        It 'records no boot id for a saved tree without one' {
            Remove-Item -LiteralPath "$proc/sys/kernel/random/boot_id"
            $saved = Get-OomSnapshot -ProcRoot $proc -CgroupRoot "$TestDrive/no-cgroups" -WarningAction SilentlyContinue
            $saved.HostBootId | Should -BeNullOrEmpty
            $saved.FindTask(4242).HostOrigin | Should -BeNullOrEmpty
        }
    }

    Context 'objects' {
        It 'writes a piped task of this host''s snapshot' {
            $w = $snap.FindTask(4242) | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc
            $w.Pid | Should -Be 4242
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be '300'
        }

        It 'refuses a task of another machine (a report, a hand-built one): NotFromThisHost, nothing written' {
            $m = New-OomMachine -Name report
            Add-OomTask -Machine $m -Pid 4242 -Name web -AnonRss 1GB
            $out = Get-OomTask -Machine $m | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFromThisHost,OomTools.Commands.SetOomScoreAdjCommand'
            $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
            "$($err[0])" | Should -BeLike '*pid 4242 (web)*'
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'refuses an imported copy of the snapshot (it has no boot id)' {
            $copy = $snap | Export-OomMachine | Import-OomMachine
            $copy.FindTask(4242) | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFromThisHost,OomTools.Commands.SetOomScoreAdjCommand'
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'refuses any other piped object with a Pid: it names no process here' {
            [pscustomobject]@{ Pid = 4242 } | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFromThisHost,OomTools.Commands.SetOomScoreAdjCommand'
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'refuses a snapshot of another boot (the host rebooted): NotFromThisHost' {
            Set-Content -NoNewline -LiteralPath "$proc/sys/kernel/random/boot_id" -Value "bbbbbbbb-0000-4000-8000-000000000002`n"
            $snap.FindTask(4242) | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NotFromThisHost,OomTools.Commands.SetOomScoreAdjCommand'
            "$($err[0])" | Should -BeLike '*rebooted*'
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'refuses a pid that is now another process (its start time changed): ProcessChanged' {
            Set-FakeStart $proc 2000
            $snap.FindTask(4242) | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ProcessChanged,OomTools.Commands.SetOomScoreAdjCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            "$($err[0])" | Should -BeLike 'pid 4242 is no longer the process that was read*'
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'refuses a pid whose process has exited: ProcessChanged' {
            Remove-Item -LiteralPath "$proc/4242/stat"
            $snap.FindTask(4242) | Set-OomScoreAdj -Live -Value 300 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ProcessChanged,OomTools.Commands.SetOomScoreAdjCommand'
        }
    }

    Context 'a bare -Pid' {
        It 'is written when given explicitly, if the process exists' {
            (Set-OomScoreAdj -Live -Pid 4242 -Value 12 -Force -ProcRoot $proc).ReadBack | Should -Be '12'
            Set-OomScoreAdj -Live -Pid 4243 -Value 12 -Force -ProcRoot $proc -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ESRCH,OomTools.Commands.SetOomScoreAdjCommand'
            Test-Path -LiteralPath "$proc/4243" | Should -BeFalse
        }
    }

    Context 'confirmation (ConfirmImpact High for -Live)' {
        It '-Confirm:$false writes without a prompt' {
            (Set-OomScoreAdj -Live -Pid 4242 -Value 13 -ProcRoot $proc -Confirm:$false).ReadBack | Should -Be '13'
        }

        It 'without -Force in a session that cannot prompt is a ConfirmationRequired error, not an exception' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$((Get-Module OomTools).Path)'; Set-OomScoreAdj -Live -Pid 4242 -Value 14 -ProcRoot '$proc'")
                $out = $ps.Invoke()
                $out.Count | Should -Be 0
                $ps.Streams.Error.Count | Should -Be 1
                $ps.Streams.Error[0].FullyQualifiedErrorId | Should -Be 'ConfirmationRequired,OomTools.Commands.SetOomScoreAdjCommand'
                "$($ps.Streams.Error[0])" | Should -BeLike '*-Force or -Confirm:$false*'
            }
            finally { $ps.Dispose() }
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'with $ConfirmPreference None writes without asking, as for any cmdlet' {
            $ConfirmPreference = 'None'
            (Set-OomScoreAdj -Live -Pid 4242 -Value 15 -ProcRoot $proc).ReadBack | Should -Be '15'
        }

        It '-WhatIf writes nothing' {
            $snap.FindTask(4242) | Set-OomScoreAdj -Live -Value 16 -ProcRoot $proc -WhatIf
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }
    }

    Context 'bad parameters' {
        It 'refuses an empty <Name> at binding' -ForEach @(@{ Name = 'Value' }, @{ Name = 'OomAdj' }) {
            $p = @{ $Name = '' }
            { Set-OomScoreAdj -Live -Pid 4242 -Force -ProcRoot $proc @p } | Should -Throw -ErrorId "ParameterArgumentValidationError,OomTools.Commands.SetOomScoreAdjCommand"
            Get-Content -Raw "$proc/4242/oom_score_adj" | Should -Be "0`n"
        }

        It 'refuses a -ProcRoot off the file system: <Root>' -ForEach @(@{ Root = 'Env:' }, @{ Root = 'Variable:\' }) {
            { Set-OomScoreAdj -Live -Pid 4242 -Value 1 -Force -ProcRoot $Root } | Should -Throw -ErrorId 'ProcRootNotFileSystem,OomTools.Commands.SetOomScoreAdjCommand'
        }

        It 'refuses an empty -ProcRoot at binding' {
            { Set-OomScoreAdj -Live -Pid 4242 -Value 1 -Force -ProcRoot '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.SetOomScoreAdjCommand'
        }
    }
}

Describe 'Set-OomScoreAdj -Live on this Linux host' -Skip:(-not $onLinuxHost) {
    BeforeAll {
        $child = [System.Diagnostics.Process]::Start('sleep', '300')
        $childId = $child.Id
        $file = "/proc/$childId/oom_score_adj"
        $snap = Get-OomSnapshot -WarningAction SilentlyContinue
    }
    AfterAll {
        if ($child -and -not $child.HasExited) { $child.Kill(); $child.WaitForExit() }
        if ($child) { $child.Dispose() }
    }

    It 'the snapshot has this boot''s id and the child''s start time' {
        $snap.HostBootId | Should -Be (Get-Content /proc/sys/kernel/random/boot_id).Trim()
        $start = ((Get-Content -Raw "/proc/$childId/stat") -replace '^.*\)\s+', '' -split '\s+')[19]
        $snap.FindTask($childId).HostOrigin.StartTime | Should -Be ([long]$start)
    }

    It 'writes a piped task of the live snapshot (raising its value)' {
        $snap.FindTask($childId) | Set-OomScoreAdj -Live -Value 600 -Force
        (Get-Content $file).Trim() | Should -Be '600'
    }

    It 'does not write the same pid through a task of a hand-built machine' {
        $m = New-OomMachine -Name report
        Add-OomTask -Machine $m -Pid $childId -Name sleep -AnonRss 1MB
        Get-OomTask -Machine $m | Set-OomScoreAdj -Live -Value 700 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be 'NotFromThisHost,OomTools.Commands.SetOomScoreAdjCommand'
        (Get-Content $file).Trim() | Should -Be '600'
    }

    # Skipped without CAP_SYS_RESOURCE: then the kernel refuses to lower it (EACCES, tested in Set-OomScoreAdj.Tests.ps1).
    It 'lowers the value with CAP_SYS_RESOURCE' -Skip:(-not $hasSysResource) {
        $snap.FindTask($childId) | Set-OomScoreAdj -Live -Value -100 -Force
        (Get-Content $file).Trim() | Should -Be '-100'
    }

    It 'refuses the task once its pid is another process' {
        # A task of the snapshot whose recorded start time is not the child's: what a reused pid looks like.
        $other = Get-OomSnapshot -WarningAction SilentlyContinue
        $t = $other.FindTask($childId)
        $t.GetType().GetProperty('HostOrigin').SetValue($t, [OomTools.Engine.Model.HostOrigin]::new($t.HostOrigin.BootId, $t.HostOrigin.StartTime - 1))
        $t | Set-OomScoreAdj -Live -Value 800 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be 'ProcessChanged,OomTools.Commands.SetOomScoreAdjCommand'
        (Get-Content $file).Trim() | Should -Not -Be '800'
    }
}
