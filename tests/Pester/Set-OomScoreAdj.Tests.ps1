BeforeDiscovery {
    $onLinuxHost = Test-Path -LiteralPath '/proc/self/oom_score_adj'
    # CAP_SYS_RESOURCE (bit 24) in this process's effective set: without it the kernel refuses to go below
    # oom_score_adj_min, which the EACCES test relies on.
    $hasSysResource = $true
    if ($onLinuxHost) {
        $capEff = (Get-Content /proc/self/status | Where-Object { $_ -match '^CapEff:' }) -replace '^CapEff:\s*', ''
        $hasSysResource = (([Convert]::ToUInt64($capEff, 16) -shr 24) -band 1) -eq 1
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Set-OomScoreAdj' {
    BeforeEach {
        # 16GB, no swap: totalpages = 4194304, one adj point = 4194 pages.
        $m = New-OomMachine -Name box
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        Add-OomTask -Machine $m -Pid 100 -Name web -AnonRss 1GB
        Add-OomTask -Machine $m -Pid 101 -Name web-clone -SharesMemoryWith 100       # CLONE_VM: MMF_MULTIPROCESS
        Add-OomTask -Machine $m -Pid 102 -Name spawned -SharesMemoryWith 100 -InVfork
        Add-OomTask -Machine $m -Pid 200 -Name db -AnonRss 2GB -OomScoreAdj -200 -OomScoreAdjMin -500
    }

    Context 'writing /proc/PID/oom_score_adj on a machine' {
        It 'writes the value and returns the change' {
            $c = Set-OomScoreAdj -Machine $m -Pid 200 -Value 300
            $c | Should -BeOfType ([OomTools.Engine.Proc.OomScoreAdjChange])
            $c.Pid | Should -Be 200
            $c.OldOomScoreAdj | Should -Be -200
            $c.NewOomScoreAdj | Should -Be 300
            [int]$m.FindTask(200).OomScoreAdj | Should -Be 300
            # 524288 + 300 * 4194 = 1782488
            (Get-OomBadness -Machine $m -Pid 200).Points | Should -Be 1782488
        }

        It 'parses the text as the kernel does (kstrtoint base 0): <Label> is <Expected>' -ForEach @(
            @{ Label = '0x10'; Text = '0x10'; Expected = 16 }
            @{ Label = '010'; Text = '010'; Expected = 8 }
            @{ Label = "' -0x64 '"; Text = ' -0x64 '; Expected = -100 }
            @{ Label = '250 and a newline'; Text = "250`n"; Expected = 250 }
            @{ Label = '0000000000100 (13 characters, 12 read)'; Text = '0000000000100'; Expected = 8 }
        ) {
            (Set-OomScoreAdj -Machine $m -Pid 200 -Value $Text).NewOomScoreAdj | Should -Be $Expected
        }

        It 'takes -OomScoreAdj as an alias of -Value, and the value by position' {
            (Set-OomScoreAdj -Machine $m -Pid 100 -OomScoreAdj 5).NewOomScoreAdj | Should -Be 5
            (Set-OomScoreAdj -Machine $m 100 6).NewOomScoreAdj | Should -Be 6
        }

        It 'takes processes from the pipeline' {
            $changes = @(Get-OomTask -Machine $m -Name web, db | Set-OomScoreAdj -Machine $m -Value 700)
            @($changes.Pid) | Should -Be @(100, 200)
            [int]$m.FindTask(200).OomScoreAdj | Should -Be 700
        }

        It 'copies the value to the processes sharing the mm, but not to a vfork child' {
            $c = Set-OomScoreAdj -Machine $m -Pid 100 -Value 400
            @($c.PropagatedTo) | Should -Be @(101)
            [int]$m.FindTask(101).OomScoreAdj | Should -Be 400
            [int]$m.FindTask(102).OomScoreAdj | Should -Be 0
        }

        It 'does not copy from a vfork child' {
            $c = Set-OomScoreAdj -Machine $m -Pid 102 -Value 400
            @($c.PropagatedTo).Count | Should -Be 0
            [int]$m.FindTask(100).OomScoreAdj | Should -Be 0
        }
    }

    Context 'the oom_score_adj_min rule' {
        It 'lets an unprivileged writer go down to oom_score_adj_min and no further (EACCES)' {
            (Set-OomScoreAdj -Machine $m -Pid 200 -Value -500).NewOomScoreAdj | Should -Be -500
            $out = Set-OomScoreAdj -Machine $m -Pid 200 -Value -501 -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'EACCES,OomTools.Commands.SetOomScoreAdjCommand'
            $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            [int]$m.FindTask(200).OomScoreAdj | Should -Be -500
        }

        It 'lets -Privileged (CAP_SYS_RESOURCE) go below it, and moves the min with the value' {
            $c = Set-OomScoreAdj -Machine $m -Pid 200 -Value -900 -Privileged
            $c.OldOomScoreAdjMin | Should -Be -500
            $c.NewOomScoreAdjMin | Should -Be -900
            $c = Set-OomScoreAdj -Machine $m -Pid 200 -Value 100 -Privileged
            $c.NewOomScoreAdjMin | Should -Be 100
            Set-OomScoreAdj -Machine $m -Pid 200 -Value 99 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'EACCES,OomTools.Commands.SetOomScoreAdjCommand'
        }
    }

    Context 'the legacy /proc/PID/oom_adj (-OomAdj)' {
        It 'converts <OomAdj> to <Expected>' -ForEach @(
            @{ OomAdj = '-17'; Expected = -1000 }
            @{ OomAdj = '-16'; Expected = -941 }
            @{ OomAdj = '-1'; Expected = -58 }
            @{ OomAdj = '1'; Expected = 58 }
            @{ OomAdj = '14'; Expected = 823 }
            @{ OomAdj = '15'; Expected = 1000 }
        ) {
            (Set-OomScoreAdj -Machine $m -Pid 100 -OomAdj $OomAdj -Privileged).NewOomScoreAdj | Should -Be $Expected
        }

        It 'may only raise the value without -Privileged, and never moves the min' {
            (Set-OomScoreAdj -Machine $m -Pid 200 -OomAdj 1).NewOomScoreAdj | Should -Be 58
            Set-OomScoreAdj -Machine $m -Pid 200 -OomAdj 0 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'EACCES,OomTools.Commands.SetOomScoreAdjCommand'
            $c = Set-OomScoreAdj -Machine $m -Pid 200 -OomAdj -17 -Privileged
            $c.NewOomScoreAdj | Should -Be -1000
            $c.NewOomScoreAdjMin | Should -Be -500
        }

        It 'logs the deprecation warning' {
            Set-OomScoreAdj -Machine $m -Pid 100 -OomAdj 3 | Out-Null
            (Get-OomLog -Machine $m -Raw) -join "`n" | Should -Match '/proc/100/oom_adj is deprecated, please use /proc/100/oom_score_adj instead\.'
        }

        It 'rejects values outside -17, -16..15 (EINVAL)' {
            Set-OomScoreAdj -Machine $m -Pid 100 -OomAdj 16 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'EINVAL,OomTools.Commands.SetOomScoreAdjCommand'
        }
    }

    Context 'refusals are errno errors and change nothing' {
        It '<Text> is <Errno>' -ForEach @(
            @{ Text = 'abc'; Errno = 'EINVAL' }
            @{ Text = '1001'; Errno = 'EINVAL' }
            @{ Text = '0x'; Errno = 'EINVAL' }
            @{ Text = '08'; Errno = 'EINVAL' }
            @{ Text = '2147483648'; Errno = 'ERANGE' }
            @{ Text = '99999999999'; Errno = 'ERANGE' }
        ) {
            $before = Get-OomMachineState -Machine $m
            $out = Set-OomScoreAdj -Machine $m -Pid 100 -Value $Text -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be "$Errno,OomTools.Commands.SetOomScoreAdjCommand"
            "$($err[0])" | Should -BeLike "${Errno}: 100 (web):*"
            Get-OomMachineState -Machine $m | Should -Be $before
        }

        It 'a process that has exited is ESRCH' {
            $t = $m.FindTask(200)
            Remove-OomTask -Machine $m -Pid 200
            # -InputObject: a piped task binds by its Pid (the default set) and would be TaskNotFound instead.
            Set-OomScoreAdj -Machine $m -InputObject $t -Value 5 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ESRCH,OomTools.Commands.SetOomScoreAdjCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'an unknown pid is TaskNotFound, and no other pid is written (issue 10, case 4)' {
            $before = Get-OomMachineState -Machine $m
            $c = Set-OomScoreAdj -Machine $m -Pid 999, 100 -Value 10 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.SetOomScoreAdjCommand'
            $c | Should -BeNullOrEmpty
            Get-OomMachineState -Machine $m | Should -Be $before
        }

        It 'needs exactly one of -Value and -OomAdj' {
            { Set-OomScoreAdj -Machine $m -Pid 100 } | Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomScoreAdjCommand'
            { Set-OomScoreAdj -Machine $m -Pid 100 -Value 1 -OomAdj 1 } | Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomScoreAdjCommand'
        }

        It '-WhatIf writes nothing' {
            $before = Get-OomMachineState -Machine $m
            Set-OomScoreAdj -Machine $m -Pid 100 -Value 900 -WhatIf | Should -BeNullOrEmpty
            Get-OomMachineState -Machine $m | Should -Be $before
        }
    }

    Context '-Live into a -ProcRoot folder' {
        It 'writes the text, unparsed, to PID/oom_score_adj or PID/oom_adj under -ProcRoot' {
            $null = New-Item -ItemType Directory -Path "$TestDrive/proc/4242" -Force
            $w = Set-OomScoreAdj -Live -Pid 4242 -Value 0x10 -Force -ProcRoot "$TestDrive/proc"
            $w.Written | Should -Be '0x10'
            $w.ReadBack | Should -Be '0x10'   # a plain folder keeps the text; the kernel's file would read back 16
            Get-Content -Raw "$TestDrive/proc/4242/oom_score_adj" | Should -Be '0x10'
            Set-OomScoreAdj -Live -Pid 4242 -OomAdj -17 -Force -ProcRoot "$TestDrive/proc"
            Get-Content -Raw "$TestDrive/proc/4242/oom_adj" | Should -Be '-17'
        }

        It 'a pid without a folder is ESRCH' {
            Set-OomScoreAdj -Live -Pid 4243 -Value 1 -Force -ProcRoot "$TestDrive/proc" -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ESRCH,OomTools.Commands.SetOomScoreAdjCommand'
        }
    }

    Context '-Live on this Linux host' -Skip:(-not $onLinuxHost) {
        BeforeAll {
            $child = [System.Diagnostics.Process]::Start('sleep', '300')
            $childId = $child.Id
            $file = "/proc/$childId/oom_score_adj"
        }
        AfterAll {
            if ($child -and -not $child.HasExited) { $child.Kill(); $child.WaitForExit() }
            if ($child) { $child.Dispose() }
        }

        It 'writes the real /proc/PID/oom_score_adj with -Force' {
            Set-OomScoreAdj -Live -Pid $childId -Value 500 -Force
            (Get-Content $file).Trim() | Should -Be '500'
        }

        It 'the kernel parses base 0 too: 0x10 reads back 16' {
            Set-OomScoreAdj -Live -Pid $childId -Value 0x10 -Force
            (Get-Content $file).Trim() | Should -Be '16'
        }

        It 'the legacy oom_adj 14 reads back as oom_score_adj 823 and oom_adj 13, as the simulation says' {
            Set-OomScoreAdj -Live -Pid $childId -OomAdj 14 -Force
            (Get-Content $file).Trim() | Should -Be '823'
            (Get-Content "/proc/$childId/oom_adj").Trim() | Should -Be '13'
        }

        It '-WhatIf writes nothing' {
            Set-OomScoreAdj -Live -Pid $childId -Value 321 -Force
            Set-OomScoreAdj -Live -Pid $childId -Value 7 -WhatIf
            (Get-Content $file).Trim() | Should -Be '321'
        }

        It 'the kernel''s refusals come back as the same errno ids: <Text> is <Errno>' -ForEach @(
            @{ Text = 'abc'; Errno = 'EINVAL' }
            @{ Text = '1001'; Errno = 'EINVAL' }
            @{ Text = '99999999999'; Errno = 'ERANGE' }
        ) {
            Set-OomScoreAdj -Live -Pid $childId -Value 321 -Force
            Set-OomScoreAdj -Live -Pid $childId -Value $Text -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be "$Errno,OomTools.Commands.SetOomScoreAdjCommand"
            (Get-Content $file).Trim() | Should -Be '321'
        }

        It 'going below oom_score_adj_min without CAP_SYS_RESOURCE is EACCES' -Skip:$hasSysResource {
            # The child inherited oom_score_adj_min from this process; -1000 is below it unless it is -1000 itself.
            Set-OomScoreAdj -Live -Pid $childId -Value 300 -Force
            Set-OomScoreAdj -Live -Pid $childId -Value -1000 -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'EACCES,OomTools.Commands.SetOomScoreAdjCommand'
            (Get-Content $file).Trim() | Should -Be '300'
        }

        It 'a pid with no process is ESRCH' {
            $gone = 4194000
            while (Test-Path "/proc/$gone") { $gone-- }
            Set-OomScoreAdj -Live -Pid $gone -Value 1 -Force -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ESRCH,OomTools.Commands.SetOomScoreAdjCommand'
        }
    }
}
