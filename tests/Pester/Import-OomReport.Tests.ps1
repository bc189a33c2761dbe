BeforeDiscovery {
    # One replay test per fixture file: the public reports and the 24 multi-event memcg files.
    $logRoot = Join-Path $PSScriptRoot '../fixtures/kernel-logs'
    $fixtureCases = @(Get-ChildItem -Path "$logRoot/public/*.log", "$logRoot/memcg/*.log" -File |
            Sort-Object FullName |
            ForEach-Object { @{ Name = "$($_.Directory.Name)/$($_.Name)"; Path = $_.FullName } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    $LogRoot = Join-Path $RepoRoot 'tests/fixtures/kernel-logs'
    $Public = Join-Path $LogRoot 'public'
    $Memcg = Join-Path $LogRoot 'memcg'
    # The reports used most, by their number in tests/fixtures/kernel-logs/README.md.
    $ProxmoxMemcg = Join-Path $Public '02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log'
    $SysRq = Join-Path $Public '04-oomanalyser-ubuntu2110-5.13-sysrq-global.log'
    $Rhel6 = Join-Path $Public '08-blog-rhel6-2.6.32-java-vim-global-oldformat.log'
    $Apiscp = Join-Path $Public '15-apiscp-docs-3.10-site133-grep-memcg-adj600.log'
    $NoInvoked = Join-Path $Public '17-blog-5.15-arm64-docker-cgv2-apk-memcg-noinvokedline.log'
    $Clamd = Join-Path $Public '25-parseoom-debian11-5.10-clamd-global-hugepages.log'
    $FourEvents = Join-Path $Memcg 'memcg-1009.log'

    # The kernel's choice in each public report, from the README's table (not from the importer).
    $PublicChoices = [ordered]@{
        '02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log'           = 3902942
        '04-oomanalyser-ubuntu2110-5.13-sysrq-global.log'            = 651
        '08-blog-rhel6-2.6.32-java-vim-global-oldformat.log'         = 31995
        '11-pitxu-rpi-zero2w-6.12-python-global-rssanon.log'         = 996
        '15-apiscp-docs-3.10-site133-grep-memcg-adj600.log'          = 25892
        '17-blog-5.15-arm64-docker-cgv2-apk-memcg-noinvokedline.log' = 3974
        '21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log'      = 4342
        '25-parseoom-debian11-5.10-clamd-global-hugepages.log'       = 517
    }

    function Get-KilledPidFromText {
        <# The pids of a log file's "Killed process N" lines, in order, read with a regex (not the importer). #>
        param([string]$Path)
        @(Select-String -LiteralPath $Path -Pattern 'Killed process (\d+)' | ForEach-Object { [int]$_.Matches[0].Groups[1].Value })
    }

    function Invoke-Replay {
        <# Replays one report on a copy of its machine (-WhatIf): the report can be replayed again. #>
        param([Parameter(Mandatory)] $Report, [version]$KernelVersion)
        $extra = @{}
        if ($KernelVersion) { $extra.KernelVersion = $KernelVersion }
        Invoke-OutOfMemory -Report $Report -WhatIf @extra -WarningAction SilentlyContinue
    }
}

Describe 'Import-OomReport' {

    Context 'reading files' {
        It 'reads every file a wildcard -Path matches, one report per event, in file order' {
            $reports = @(Import-OomReport -Path (Join-Path $Public '*.log'))
            $reports.Count | Should -Be 8
            $reports | Should -BeOfType ([OomTools.Engine.Reports.OomReport])
            @($reports | ForEach-Object { Split-Path $_.Source -Leaf }) | Should -Be @($PublicChoices.Keys)
            @($reports | ForEach-Object Index) | Should -Be @(1, 1, 1, 1, 1, 1, 1, 1)
            @($reports | ForEach-Object SelectedPid) | Should -Be @($PublicChoices.Values)
        }

        It 'takes the path as positional parameter, relative to the current location' {
            Push-Location $Public
            try { $r = Import-OomReport '25-*.log' } finally { Pop-Location }
            $r.Source | Should -Be $Clamd
            $r.SelectedPid | Should -Be 517
        }

        It 'reads what the report says: trigger, kernel, allocation, constraint, sizes, table and choice' {
            $r = Import-OomReport -LiteralPath $Clamd
            $r.Source | Should -Be $Clamd
            $r.Index | Should -Be 1
            $r.Time | Should -Be '75669.581768'                 # the dmesg stamp inside the syslog line
            $r.KernelRelease | Should -Be '5.10.0-10-amd64'
            $r.KernelVersion | Should -Be ([version]'5.10')
            $r.TriggerName | Should -Be 'f2b/f.postfix'
            $r.TriggerPid | Should -Be 754
            $r.GfpMask | Should -Be '0x100cca(GFP_HIGHUSER_MOVABLE)'
            $r.GfpFlags | Should -Be 'GFP_HIGHUSER_MOVABLE'
            $r.Order | Should -Be 0
            "$($r.Constraint)" | Should -Be 'None'
            $r.OomMemcg | Should -BeNullOrEmpty
            $r.Cgroup | Should -BeNullOrEmpty
            $r.TaskMemcg | Should -Be '/system.slice/clamav-daemon.service'
            $r.Cpuset | Should -Be '/'
            $r.MemsAllowed | Should -Be '0'
            $r.PagesRam | Should -Be 5241540
            $r.PagesReserved | Should -Be 16538
            $r.TotalSwapKb | Should -Be 524284
            $r.FreeSwapKb | Should -Be 0
            @($r.Hugepages).Count | Should -Be 2
            $r.HasTaskTable | Should -BeTrue
            @($r.TaskTableColumns) | Should -Be @('uid', 'tgid', 'total_vm', 'rss', 'pgtables_bytes', 'swapents', 'oom_score_adj', 'name')
            $r.Tasks.Count | Should -Be 35
            $r.Tasks[0].Pid | Should -Be 199
            $r.Tasks[0].OomScoreAdj | Should -Be -250
            $r.SelectedPid | Should -Be 517
            $r.SelectedName | Should -Be 'clamd'
            @($r.KilledPids) | Should -Be @(517)
            $r.KillMessage | Should -Be 'Out of memory'
            $r.Replayable | Should -BeTrue
            $r.NotReplayableReason | Should -BeNullOrEmpty
            @($r.NotReplayableReasons).Count | Should -Be 0
        }

        It 'rebuilds the machine: RAM = pages RAM - pages reserved, swap = Total swap / 4, every table row a process' {
            $r = Import-OomReport -LiteralPath $Clamd
            $m = $r.Machine
            $m | Should -BeOfType ([OomTools.Engine.Model.OomMachine])
            $m.TotalRamPages.Value | Should -Be 5225002          # 5241540 - 16538
            $m.TotalSwapPages.Value | Should -Be 131071          # 524284 kB / 4
            $m.PageSize | Should -Be 4096
            $m.Tasks.Count | Should -Be 35
            @($m.Tasks | ForEach-Object Pid) | Should -Be @($r.Tasks | ForEach-Object Pid)
            $clamd = $m.FindTask(517)
            $clamd.Comm | Should -Be 'clamd'
            $clamd.Uid | Should -Be 111
            $clamd.Mm.AnonPages.Value | Should -Be 422324      # no rss_anon column: all of rss
            $clamd.Mm.SwapEntries.Value | Should -Be 107099
            $clamd.Mm.PageTableBytes | Should -Be 4395008
            [int]$m.FindTask(199).OomScoreAdj | Should -Be -250
            $m.Scoring.Version | Should -Be ([version]'5.10')
            # Only what a global report cannot show (issue 9: every guess is named): the other processes' cgroups, and
            # the allocating thread 754 is not a row of the table.
            @($r.Assumptions) | Should -Be @(
                'a global report does not show the processes'' memory cgroups: they are placed in / (the victim in /system.slice/clamav-daemon.service, its task_memcg)',
                'the allocating task 754 (f2b/f.postfix) is not in the task table: replayed with no current task')
        }

        It 'reads several files in one call, each file''s events numbered from 1' {
            $reports = @(Import-OomReport -Path $FourEvents, $Clamd)
            $reports.Count | Should -Be 5
            @($reports | ForEach-Object Index) | Should -Be @(1, 2, 3, 4, 1)
            @($reports | ForEach-Object { Split-Path $_.Source -Leaf }) | Should -Be @('memcg-1009.log', 'memcg-1009.log', 'memcg-1009.log', 'memcg-1009.log', (Split-Path $Clamd -Leaf))
            @($reports | ForEach-Object SelectedPid) | Should -Be @(9706, 9705, 9701, 9713, 517)
        }

        It 'reads several -LiteralPath files in one call' {
            $reports = @(Import-OomReport -LiteralPath $SysRq, $Clamd)
            @($reports | ForEach-Object SelectedPid) | Should -Be @(651, 517)
        }

        It 'returns the events of a multi-event file in order, with their stamps, and each one''s kill' {
            $reports = @(Import-OomReport -LiteralPath $FourEvents)
            $reports.Count | Should -Be 4
            @($reports | ForEach-Object Index) | Should -Be @(1, 2, 3, 4)
            @($reports | ForEach-Object Time) | Should -Be @('397.270052', '397.273414', '397.321343', '397.348124')
            @($reports | ForEach-Object SelectedPid) | Should -Be (Get-KilledPidFromText $FourEvents)
            @($reports | ForEach-Object { @($_.KilledPids) -join ',' }) | Should -Be @('9706', '9705', '9701', '9713')
            # The earlier victims are gone from the later tables (10, 9, 8, 7 rows).
            @($reports | ForEach-Object { $_.Tasks.Count }) | Should -Be @(10, 9, 8, 7)
            foreach ($r in $reports) {
                "$($r.Constraint)" | Should -Be 'Memcg'
                $r.OomMemcg | Should -Be '/lab/oomlab-9382-1009'
                $r.Cgroup | Should -Be '/lab/oomlab-9382-1009'
                $r.CgroupVersion | Should -Be 'V1'
                $r.TriggerPid | Should -Be 9713
                $r.Current | Should -Be 9713
            }
        }

        It 'finds the kernel''s choice in every fixture file, as the file''s "Killed process" lines name it' {
            $files = @(Get-ChildItem -Path "$Public/*.log", "$Memcg/*.log" -File)
            $files.Count | Should -Be 32
            foreach ($f in $files) {
                @(Import-OomReport -LiteralPath $f.FullName | ForEach-Object SelectedPid) |
                    Should -Be (Get-KilledPidFromText $f.FullName) -Because $f.Name
            }
        }

        It 'takes files piped from Get-ChildItem (PSPath binds to -LiteralPath)' {
            $reports = @(Get-ChildItem -Path (Join-Path $Public '*.log') | Import-OomReport)
            $reports.Count | Should -Be 8
            @($reports | ForEach-Object SelectedPid) | Should -Be @($PublicChoices.Values)
        }

        It 'keeps each event''s lines with their line numbers in the file' {
            $r = Import-OomReport -LiteralPath $Clamd
            $killed = @($r.Lines | Where-Object Text -Like 'Out of memory: Killed process 517 *')
            $killed.Count | Should -Be 1
            $killed[0].Number | Should -Be 94
            $killed[0].Raw | Should -BeLike 'Dec 20 03:17:52 localhost kernel: `[75669.703275`] Out of memory: Killed process 517 (clamd)*'
            $killed[0].Stamp | Should -Be '75669.703275'
            $r.Lines[-1].Number | Should -Be 95                  # the oom_reaper line, the file's last
            ($r.Tasks | Where-Object Pid -EQ 517).LineNumber | Should -Be 66
        }

        It 'keeps the "invoked oom-killer" line, the first of the event, in Lines' {
            $r = Import-OomReport -LiteralPath $Clamd
            $r.Lines[0].Number | Should -Be 1
            $r.Lines[0].Text | Should -BeLike 'f2b/f.postfix invoked oom-killer: *'
            $second = @(Import-OomReport -LiteralPath $FourEvents)[1]
            $second.Lines[0].Number | Should -Be 89
            $second.Lines[0].Text | Should -BeLike 'python3 invoked oom-killer: *'
        }

        It 'notes a rate-limited report before the event ("callbacks suppressed")' {
            $reports = @(Import-OomReport -LiteralPath (Join-Path $Memcg 'memcg-1000.log'))
            $reports[0].SuppressedBefore | Should -Be 1
            $reports[1].SuppressedBefore | Should -BeNullOrEmpty
        }

        It 'reads a memcg report: the limit, the swap limit and the cgroup whose limit was hit' {
            $r = Import-OomReport -LiteralPath $ProxmoxMemcg
            "$($r.Constraint)" | Should -Be 'Memcg'
            $r.OomMemcg | Should -Be '/lxc/39004'
            $r.Cgroup | Should -Be '/lxc/39004'
            $r.MemcgLimitKb | Should -Be 31211520
            $r.SwapLimitKb | Should -Be 0
            $r.CgroupVersion | Should -Be 'V2'
            $r.Tasks.Count | Should -Be 73
            $r.Time | Should -Be 'Di Aug 12 03:54:03 2025'      # dmesg -T in German
            $r.Machine.FindCgroup('/lxc/39004').MemoryMax.Value | Should -Be 7802880    # 31211520 kB / 4
            $r.Assumptions | Should -Contain 'total swap is not in the report: taken as 0 pages (the cgroup''s own swap use)'
        }

        It 'infers the kernel version from the table layout when the report does not print it, and says so' {
            $r = Import-OomReport -LiteralPath $Apiscp
            $r.KernelRelease | Should -BeNullOrEmpty
            $r.KernelVersion | Should -BeNullOrEmpty
            $r.Machine.Scoring.Version | Should -Be ([version]'3.10')     # the nr_ptes layout
            $r.Assumptions | Should -Contain 'the kernel version is not in the report: 3.10 inferred from the report''s layout'
        }

        It 'says what the oldest layout lacks: scores count rss only' {
            $r = Import-OomReport -LiteralPath $Rhel6
            $r.KernelVersion | Should -Be ([version]'2.6')
            $r.SelectedScore | Should -Be 442
            $r.Assumptions | Should -Contain 'this kernel''s task table has no swap or page-table columns: scores count rss only'
        }

        It 'keeps a report without its "invoked oom-killer" line: replayable, the missing line in its Assumptions (issue 11)' {
            $r = Import-OomReport -LiteralPath $NoInvoked
            $r.Replayable | Should -BeTrue
            @($r.NotReplayableReasons).Count | Should -Be 0
            $r.NotReplayableReason | Should -BeNullOrEmpty
            $r.Assumptions | Should -Contain "the allocation is not shown (no 'invoked oom-killer' line): order 0 with GFP_KERNEL assumed"
            $r.Machine | Should -Not -BeNullOrEmpty
            $r.SelectedPid | Should -Be 3974
        }

        It 'says why a report is not replayable in the verbose stream' {
            $line = '[   12.500000] Out of memory: Killed process 123 (x) total-vm:1000kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0'
            $verbose = $line | Import-OomReport -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            "$verbose" | Should -BeLike "*not replayable: the kernel rate-limited this report*"
        }

        It 'keeps a lone "Killed process" line (a rate-limited report) as an event without a machine' {
            $r = '[   12.500000] Memory cgroup out of memory: Killed process 123 (x) total-vm:1000kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0' |
                Import-OomReport
            $r.SelectedPid | Should -Be 123
            $r.Replayable | Should -BeFalse
            $r.Machine | Should -BeNullOrEmpty
            @($r.NotReplayableReasons) | Should -Contain "the kernel rate-limited this report: only its 'Killed process' line was printed"
        }
    }

    Context 'pipeline text' {
        It 'reads Get-Content line by line like the file itself' {
            $fromFile = Import-OomReport -LiteralPath $Clamd
            $r = Get-Content -LiteralPath $Clamd | Import-OomReport
            @($r).Count | Should -Be 1
            $r.Source | Should -Be '(pipeline)'
            $r.Index | Should -Be 1
            $r.SelectedPid | Should -Be 517
            $r.KernelRelease | Should -Be $fromFile.KernelRelease
            $r.Tasks.Count | Should -Be 35
            @($r.Lines | ForEach-Object Number) | Should -Be @($fromFile.Lines | ForEach-Object Number)
            $r.Machine.TotalRamPages.Value | Should -Be 5225002
            $r.Machine.TotalSwapPages.Value | Should -Be 131071
        }

        It 'reads one string with the whole log (Get-Content -Raw), numbering its lines' {
            $r = Get-Content -LiteralPath $Clamd -Raw | Import-OomReport
            @($r).Count | Should -Be 1
            $r.SelectedPid | Should -Be 517
            $r.Tasks.Count | Should -Be 35
            ($r.Lines | Where-Object Text -Like 'Out of memory: Killed process*').Number | Should -Be 94
        }

        It 'reads every event of a multi-event log given as one string' {
            $reports = @(Get-Content -LiteralPath $FourEvents -Raw | Import-OomReport)
            @($reports | ForEach-Object Index) | Should -Be @(1, 2, 3, 4)
            @($reports | ForEach-Object SelectedPid) | Should -Be @(9706, 9705, 9701, 9713)
        }

        It 'reads Windows line ends' {
            $text = (Get-Content -LiteralPath $Clamd) -join "`r`n"
            $r = $text | Import-OomReport
            $r.SelectedPid | Should -Be 517
            $r.Tasks.Count | Should -Be 35
            $r.Tasks[-1].Name | Should -Be 'anvil'
        }

        It 'treats the whole pipeline as one source: events of two logs numbered on' {
            $reports = @((Get-Content -LiteralPath $Clamd), (Get-Content -LiteralPath $FourEvents) | Import-OomReport)
            @($reports | ForEach-Object Index) | Should -Be @(1, 2, 3, 4, 5)
            @($reports | ForEach-Object SelectedPid) | Should -Be @(517, 9706, 9705, 9701, 9713)
        }

        It 'takes the text as -InputObject too' {
            $r = Import-OomReport -InputObject (Get-Content -LiteralPath $Clamd)
            $r.SelectedPid | Should -Be 517
        }

        It 'reads mail-quoted reports ("> " on every line)' {
            $r = Get-Content -LiteralPath (Join-Path $Public '21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log') | Import-OomReport
            $r.SelectedPid | Should -Be 4342
            $r.KernelRelease | Should -Be '4.0.0-rc1-dgc+'
        }

        It 'skips a $null among the lines' {
            $lines = @($null) + @(Get-Content -LiteralPath $Clamd)
            $r = $lines | Import-OomReport -ErrorAction Stop
            $r.SelectedPid | Should -Be 517
        }

        It 'takes the trigger and kernel from a CPU line just before a report whose "invoked" line is missing' {
            $lines = @(Get-Content -LiteralPath $NoInvoked)
            # Line 1 is the CPU line (PID 3974, 5.15.0-107-generic); lines 31.. are the report from "memory: usage" on.
            $r = @($lines[0]) + $lines[30..($lines.Count - 1)] | Import-OomReport
            $r.TriggerPid | Should -Be 3974
            $r.KernelRelease | Should -Be '5.15.0-107-generic'
        }
    }

    Context 'streams: each report as soon as it is complete (issue 12)' -Skip:(-not $IsLinux) {
        BeforeAll {
            # The first event of a lab log, up to its Killed process line, as a file, and what a file import makes of it.
            $script:StreamLines = @(Get-Content -LiteralPath (Join-Path $Memcg 'memcg-1000.log'))
            $kill = [array]::FindIndex([string[]]$StreamLines, [Predicate[string]] { param($l) $l -match 'Killed process' })
            $script:StreamLines = $StreamLines[0..$kill]
            $script:StreamFile = Join-Path $TestDrive 'one-report.log'
            Set-Content -LiteralPath $StreamFile -Value $StreamLines
            $script:FromFile = Import-OomReport -LiteralPath $StreamFile
        }

        It 'writes the report from a FIFO while the writer still holds it open' {
            $fifo = Join-Path $TestDrive 'kmsg.fifo'
            $release = Join-Path $TestDrive 'release'
            $closed = Join-Path $TestDrive 'writer-closed'
            & mkfifo $fifo
            $LASTEXITCODE | Should -Be 0
            # The writer sends one report, then holds the FIFO open, sending nothing, until the test releases it (or
            # 60 s pass); it marks that it is closing before it closes.
            $psi = [System.Diagnostics.ProcessStartInfo]::new('bash')
            $writerScript = 'exec 3>"$1"; cat "$2" >&3; for i in $(seq 600); do [ -e "$3" ] && break; sleep 0.1; done; touch "$4"; exec 3>&-'
            foreach ($a in '-c', $writerScript, 'writer', $fifo, $StreamFile, $release, $closed) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $writer = [System.Diagnostics.Process]::Start($psi)
            try {
                $arrivals = [System.Collections.Generic.List[object]]::new()
                $reports = @(Import-OomReport -LiteralPath $fifo | ForEach-Object {
                        $arrivals.Add([pscustomobject]@{ Pid = $_.SelectedPid; WriterOpen = -not (Test-Path -LiteralPath $closed) })
                        $null = New-Item -ItemType File -Path $release -Force
                        $_
                    })
                $writer.WaitForExit(60000) | Should -BeTrue
            }
            finally { if (-not $writer.HasExited) { $writer.Kill() } }
            $arrivals.Count | Should -Be 1
            $arrivals[0].WriterOpen | Should -BeTrue -Because 'the report is complete at its Killed process line: it comes out when the writer pauses, not when it closes'
            $reports.Count | Should -Be 1
            $reports[0].SelectedPid | Should -Be $FromFile.SelectedPid
            @($reports[0].KilledPids) | Should -Be @($FromFile.KilledPids)
            $reports[0].Lines.Count | Should -Be $FromFile.Lines.Count
            $reports[0].Replayable | Should -Be $FromFile.Replayable
            $reports[0].Source | Should -Be $fifo
        }

        It 'writes the report from /dev/stdin (an anonymous pipe) while the writer still holds it open' {
            $child = "Import-Module '$ModuleManifestPath'; Import-OomReport -LiteralPath /dev/stdin | ForEach-Object { 'arrived ' + `$_.SelectedPid }"
            $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
            foreach ($a in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $child) { $psi.ArgumentList.Add($a) }
            $psi.WorkingDirectory = $RepoRoot
            $psi.RedirectStandardInput = $true
            $psi.RedirectStandardOutput = $true
            $psi.UseShellExecute = $false
            $p = [System.Diagnostics.Process]::Start($psi)
            try {
                $p.StandardInput.Write((($StreamLines -join "`n") + "`n"))
                $p.StandardInput.Flush()
                # The pipe stays open and silent: the report must come out anyway.
                $line = $p.StandardOutput.ReadLineAsync()
                $line.Wait(120000) | Should -BeTrue -Because 'the report is written while stdin is still open'
                $line.Result | Should -Be "arrived $($FromFile.SelectedPid)"
                $p.StandardInput.Close()
                $p.WaitForExit(60000) | Should -BeTrue
                $p.StandardOutput.ReadToEnd().Trim() | Should -BeNullOrEmpty
            }
            finally { if (-not $p.HasExited) { $p.Kill($true) } }
        }
    }

    Context 'errors and odd input' {
        It 'writes a non-terminating FileNotFound (ObjectNotFound) for a missing file and goes on with the next' {
            $missing = Join-Path $TestDrive 'no-such.log'
            $reports = @(Import-OomReport -Path $missing, $Clamd -ErrorVariable ev -ErrorAction SilentlyContinue)
            $reports.Count | Should -Be 1
            $reports[0].SelectedPid | Should -Be 517
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,OomTools.Commands.ImportOomReportCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].Exception.Message | Should -BeLike '*no-such.log*'
        }

        It 'stops on a missing file with -ErrorAction Stop' {
            { Import-OomReport -Path (Join-Path $TestDrive 'no-such.log') -ErrorAction Stop } |
                Should -Throw -ErrorId 'FileNotFound,OomTools.Commands.ImportOomReportCommand'
        }

        It 'writes FileNotFound for a -LiteralPath that is not there (no wildcard expansion)' {
            $reports = @(Import-OomReport -LiteralPath (Join-Path $Public '*.log') -ErrorVariable ev -ErrorAction SilentlyContinue)
            $reports.Count | Should -Be 0
            $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,OomTools.Commands.ImportOomReportCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'writes FileNotFound for a wildcard that matches nothing' {
            $reports = @(Import-OomReport -Path (Join-Path $Public '*.nomatch') -ErrorVariable ev -ErrorAction SilentlyContinue)
            $reports.Count | Should -Be 0
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,OomTools.Commands.ImportOomReportCommand'
        }

        It 'writes PathIsFolder (InvalidArgument) for a folder' {
            $reports = @(Import-OomReport -Path $Public -ErrorVariable ev -ErrorAction SilentlyContinue)
            $reports.Count | Should -Be 0
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'PathIsFolder,OomTools.Commands.ImportOomReportCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $ev[0].Exception.Message | Should -BeLike '*is a folder*'
        }

        It 'writes PathIsFolder for a folder given as -LiteralPath too' {
            $null = Import-OomReport -LiteralPath $Public -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'PathIsFolder,OomTools.Commands.ImportOomReportCommand'
        }

        It 'returns nothing, and no error, for text without an OOM report' {
            $garbage = 'hello', '', 'Out of memory, or so they say', 'kworker invoked oom-killer, sort of', '[  1.000] usb 1-1: new device', 'Dec 20 03:17:52 host sshd[5]: Killed process 1 (x)'
            $reports = @($garbage | Import-OomReport -ErrorVariable ev)
            $reports.Count | Should -Be 0
            $ev.Count | Should -Be 0
        }

        It 'returns nothing for an empty file or empty text' {
            $empty = Join-Path $TestDrive 'empty.log'
            Set-Content -LiteralPath $empty -Value $null
            @(Import-OomReport -LiteralPath $empty).Count | Should -Be 0
            @('' | Import-OomReport).Count | Should -Be 0
        }

        It 'reads binary bytes without an exception, finding nothing' {
            $bin = Join-Path $TestDrive 'random.bin'
            $bytes = [byte[]]::new(262144)
            [System.Random]::new(42).NextBytes($bytes)
            [System.IO.File]::WriteAllBytes($bin, $bytes)
            $fromFile = @(Import-OomReport -LiteralPath $bin -ErrorVariable ev1 -ErrorAction Stop)
            $fromText = @(Get-Content -LiteralPath $bin -Raw | Import-OomReport -ErrorVariable ev2 -ErrorAction Stop)
            $fromFile.Count + $fromText.Count | Should -Be 0
            $ev1.Count + $ev2.Count | Should -Be 0
        }

        It 'finds the report among binary bytes around it' {
            $mixed = Join-Path $TestDrive 'mixed.log'
            $bytes = [byte[]]::new(4096)
            [System.Random]::new(7).NextBytes($bytes)
            $text = [System.IO.File]::ReadAllBytes($Clamd)
            [System.IO.File]::WriteAllBytes($mixed, [byte[]]($bytes + [byte[]](10) + $text))
            $r = Import-OomReport -LiteralPath $mixed
            $r.SelectedPid | Should -Be 517
            $r.Tasks.Count | Should -Be 35
        }

        It 'refuses a page size the kernel does not use' {
            { Import-OomReport -LiteralPath $Clamd -PageSize 8192 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.ImportOomReportCommand'
        }
    }

    Context 'crafted, endless and re-carried input (issue 10)' {
        BeforeAll {
            $Invoked = 'x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'
        }

        It 'cuts a 10 MB line at 64 KiB with a warning naming the line, and reads on: <Name>' -ForEach @(
            @{ Name = 'Tainted: padded with spaces'; Unit = ' '; Head = 'CPU: 0 PID: 1 Comm: x Tainted: ' }
            @{ Name = 'repeated dmesg date bracket'; Unit = 'Mon Dec  4 12:00:00 2024 '; Head = '[' }
            @{ Name = 'repeated Kill process 1 ('; Unit = 'Kill process 1 ('; Head = '' }
            @{ Name = 'repeated invoked oom-killer'; Unit = 'invoked oom-killer'; Head = 'x ' }
        ) {
            $long = $Head + ($Unit * [Math]::Ceiling(10000000 / $Unit.Length))
            $file = Join-Path $TestDrive 'crafted.log'
            [System.IO.File]::WriteAllText($file, (@($long) + @(Get-Content -LiteralPath $Clamd)) -join "`n")
            # The crafted line may make an event of its own ("Kill process" starts one): the log's own is the last.
            $r = @(Import-OomReport -LiteralPath $file -WarningVariable wv -WarningAction SilentlyContinue)
            $r[-1].SelectedPid | Should -Be 517
            $r[-1].Tasks.Count | Should -Be 35
            @($wv).Count | Should -Be 1
            "$($wv[0])" | Should -BeLike "$file*line 1 is $($long.Length.ToString('N0', [cultureinfo]::InvariantCulture))*first 65,536*"
            $piped = @($long, (Get-Content -LiteralPath $Clamd -Raw) | Import-OomReport -WarningVariable pwv -WarningAction SilentlyContinue)
            $piped[-1].SelectedPid | Should -Be 517
            "$($pwv[0])" | Should -BeLike '(pipeline)*line 1 is*'
        }

        It 'warns for the first ten cut lines, then once for the rest' {
            $file = Join-Path $TestDrive 'many-long.log'
            [System.IO.File]::WriteAllText($file, ((1..13 | ForEach-Object { 'y' * 70000 }) -join "`n"))
            $null = Import-OomReport -LiteralPath $file -WarningVariable wv -WarningAction SilentlyContinue
            @($wv).Count | Should -Be 11
            "$($wv[9])" | Should -BeLike '*line 10 is 70,000 characters*'
            "$($wv[10])" | Should -BeLike '*3 more lines longer than 65,536 characters were cut*'
        }

        It 'stops on /dev/zero with NotText (InvalidData), naming the path' -Skip:(-not (Test-Path /dev/zero)) {
            $r = @(Import-OomReport -LiteralPath /dev/zero -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'NotText,OomTools.Commands.ImportOomReportCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $ev[0].Exception.Message | Should -BeLike "'/dev/zero'*not a text log*"
            $ev[0].TargetObject | Should -Be '/dev/zero'
        }

        It 'gives the events read before binary data, then NotText' {
            $file = Join-Path $TestDrive 'then-zeros.log'
            $bytes = [System.IO.File]::ReadAllBytes($Clamd) + [byte[]]::new(20MB)
            [System.IO.File]::WriteAllBytes($file, $bytes)
            $r = Import-OomReport -LiteralPath $file -ErrorVariable ev -ErrorAction SilentlyContinue
            $r.SelectedPid | Should -Be 517
            $ev[0].FullyQualifiedErrorId | Should -Be 'NotText,OomTools.Commands.ImportOomReportCommand'
        }

        It 'reads past a crash''s block of NULs (a few MB) in a syslog file' {
            $file = Join-Path $TestDrive 'crash-nuls.log'
            $bytes = [byte[]]::new(3MB) + [System.IO.File]::ReadAllBytes($Clamd)
            [System.IO.File]::WriteAllBytes($file, $bytes)
            $r = Import-OomReport -LiteralPath $file -ErrorVariable ev -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $ev.Count | Should -Be 0
            $r.SelectedPid | Should -Be 517
        }

        It 'stops a line with no end in 64 MiB with InputTooLarge (LimitsExceeded)' {
            $file = Join-Path $TestDrive 'endless.log'
            $stream = [System.IO.File]::Create($file)
            try { $chunk = [System.Text.Encoding]::ASCII.GetBytes('y' * 1MB); for ($i = 0; $i -lt 65; $i++) { $stream.Write($chunk, 0, $chunk.Length) } } finally { $stream.Dispose() }
            $null = Import-OomReport -LiteralPath $file -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'InputTooLarge,OomTools.Commands.ImportOomReportCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $ev[0].Exception.Message | Should -BeLike "'$file'*no line end in 67,108,864 characters*"
        }

        It 'replays a log piped as one string with CR-only line ends exactly like the file: <Name>' -ForEach @(
            @{ Name = 'four events'; File = 'memcg/memcg-1009.log' }
            @{ Name = 'clamd'; File = 'public/25-parseoom-debian11-5.10-clamd-global-hugepages.log' }
            @{ Name = 'proxmox memcg'; File = 'public/02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log' }
        ) {
            $path = Join-Path $LogRoot $File
            $fromFile = @(Import-OomReport -LiteralPath $path)
            $fromCr = @(((Get-Content -LiteralPath $path) -join "`r") | Import-OomReport)
            $fromCr.Count | Should -Be $fromFile.Count
            for ($i = 0; $i -lt $fromFile.Count; $i++) {
                $fromCr[$i].Replayable | Should -Be $fromFile[$i].Replayable
                $fromCr[$i].SelectedPid | Should -Be $fromFile[$i].SelectedPid
                $fromCr[$i].Tasks.Count | Should -Be $fromFile[$i].Tasks.Count
                @($fromCr[$i].Lines | ForEach-Object Number) | Should -Be @($fromFile[$i].Lines | ForEach-Object Number)
                (Invoke-OutOfMemory -Report $fromCr[$i] -WhatIf -WarningAction SilentlyContinue).Victim.Pid |
                    Should -Be (Invoke-OutOfMemory -Report $fromFile[$i] -WhatIf -WarningAction SilentlyContinue).Victim.Pid
            }
        }

        It 'keeps the task table behind a printk level or a journal prefix before an indented line' {
            $lines = @(Get-Content -LiteralPath $FourEvents)
            $expected = @(Import-OomReport -LiteralPath $FourEvents)
            foreach ($carrier in '<4>  ', 'Dec 04 12:00:00 host kernel:   ', '<4>Dec 04 12:00:00 host kernel:  ') {
                $r = @($lines | ForEach-Object { $carrier + $_ } | Import-OomReport)
                @($r | ForEach-Object { $_.Tasks.Count }) | Should -Be @($expected | ForEach-Object { $_.Tasks.Count }) -Because "carrier '$carrier'"
                @($r | ForEach-Object SelectedPid) | Should -Be @(9706, 9705, 9701, 9713)
                @($r | ForEach-Object { (Invoke-OutOfMemory -Report $_ -WhatIf -WarningAction SilentlyContinue).Victim.Pid }) | Should -Be @(9706, 9705, 9701, 9713)
            }
        }
    }
}

Describe 'Invoke-OutOfMemory -Report (replaying an imported report)' {

    Context 'every fixture event replays to the kernel''s choice' {
        It '<Name>: the replay kills whom the kernel killed' -ForEach $fixtureCases {
            $reports = @(Import-OomReport -LiteralPath $Path)
            $reports.Count | Should -BeGreaterThan 0
            foreach ($r in $reports) {
                $r.Machine | Should -Not -BeNullOrEmpty -Because "$r has a machine"
                # For real: each report has a machine of its own, freshly rebuilt.
                $o = Invoke-OutOfMemory -Report $r -WarningAction SilentlyContinue
                $o.Report | Should -Be $r
                $o.KernelChoice | Should -Be $r.SelectedPid
                $o.Victim.Pid | Should -Be $r.SelectedPid -Because "$r`: $($o.Disagreement)"
                $o.AgreesWithKernel | Should -BeTrue
                $o.Disagreement | Should -BeNullOrEmpty
            }
        }

        It 'agrees on all 52 events of the 32 fixture files (all replayable, 1 without its invoked line)' {
            $reports = @(Import-OomReport -Path "$Public/*.log", "$Memcg/*.log")
            $reports.Count | Should -Be 52
            @($reports | Where-Object Machine).Count | Should -Be 52
            @($reports | Where-Object Replayable).Count | Should -Be 52
            $outcomes = @($reports | ForEach-Object { Invoke-OutOfMemory -Report $_ -WarningAction SilentlyContinue })
            @($outcomes | Where-Object AgreesWithKernel).Count | Should -Be 52
        }
    }

    Context 'reports from the pipeline' {
        It 'binds a piped report to -Report and replays it: all 52 fixture events agree' {
            $reports = @(Import-OomReport -Path "$Public/*.log", "$Memcg/*.log")
            $outcomes = @($reports | Invoke-OutOfMemory -WarningAction SilentlyContinue)
            $outcomes.Count | Should -Be 52
            @($outcomes | Where-Object { $null -ne $_.Report }).Count | Should -Be 52 -Because 'a piped OomReport must bind to -Report, not its Machine property to -Machine'
            @($outcomes | Where-Object AgreesWithKernel).Count | Should -Be 52
            @($outcomes | Where-Object { $_.Victim.Pid -eq $_.Report.SelectedPid }).Count | Should -Be 52
        }

        It 'replays a piped memcg report in its memory cgroup, with the report''s gfp mask' {
            $o = Import-OomReport -LiteralPath $ProxmoxMemcg | Invoke-OutOfMemory -WhatIf
            "$($o.Constraint)" | Should -Be 'Memcg'
            $o.Memcg.Path | Should -Be '/lxc/39004'
            $o.GfpMask.Value | Should -Be 0x1100cca   # the report's own mask: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE)
            $o.AgreesWithKernel | Should -BeTrue
        }
    }

    Context 'the replay' {
        It 'scores with the report''s sizes: clamd 422324 + 107099 + 4395008/4096 = 530496 of 5356073 pages' {
            $o = Invoke-Replay (Import-OomReport -LiteralPath $Clamd)
            # totalpages = (5241540 - 16538) RAM + 524284/4 swap = 5225002 + 131071
            $o.TotalPages.Value | Should -Be 5356073
            $o.Victim.Pid | Should -Be 517
            $o.VictimPoints | Should -Be 530496
            "$($o.Constraint)" | Should -Be 'None'
            $o.GfpMask.Value | Should -Be 0x100cca
            # systemd-journal: 226 + 14 + 25 + (-250 * 5356) = -1338735 (5.9+: negative points stay negative)
            ($o.Candidates | Where-Object Pid -EQ 199).Points | Should -Be -1338735
            ($o.Candidates | Where-Object Pid -EQ 255).Reason | Should -Be 'OomScoreAdjMin'
        }

        It 'replays a memcg report in the cgroup whose limit was hit: 3195335 + 6597 of 7802880 pages' {
            $r = Import-OomReport -LiteralPath $ProxmoxMemcg
            $o = Invoke-Replay $r
            "$($o.Constraint)" | Should -Be 'Memcg'
            $o.Memcg.Path | Should -Be '/lxc/39004'
            $o.TotalPages.Value | Should -Be 7802880          # 31211520 kB limit, swap.max 0
            $o.Victim.Pid | Should -Be 3902942
            $o.VictimPoints | Should -Be 3201932              # 3195335 rss + 27021312/4096 page tables
            $o.AgreesWithKernel | Should -BeTrue
        }

        It 'replays a SysRq-f report with order -1' {
            $r = Import-OomReport -LiteralPath $SysRq
            $r.Order | Should -Be -1
            $o = Invoke-Replay $r
            $o.Order | Should -Be -1
            $o.Victim.Pid | Should -Be 651
            $o.VictimPoints | Should -Be 5258                 # 5232 + 106496/4096; root has no bonus since 4.17
        }

        It 'leaves $report.Machine as it was with -WhatIf' {
            $r = Import-OomReport -LiteralPath $Clamd
            $before = Get-OomMachineState $r.Machine
            $o = Invoke-OutOfMemory -Report $r -WhatIf
            $o.Victim.Pid | Should -Be 517
            $o.Machine | Should -Not -Be $r.Machine
            Get-OomMachineState $r.Machine | Should -Be $before
            $r.Machine.FindTask(517).IsOomVictim | Should -BeFalse
        }

        It 'kills on $report.Machine without -WhatIf, so the next replay waits for that victim' {
            $r = Import-OomReport -LiteralPath $Clamd
            $o = Invoke-OutOfMemory -Report $r
            $o.Machine | Should -Be $r.Machine
            $r.Machine.FindTask(517).IsOomVictim | Should -BeTrue
            $r.Machine.OomKillCount | Should -Be 1
            $again = Invoke-OutOfMemory -Report $r -WhatIf
            $again.Aborted | Should -BeTrue
            $again.AgreesWithKernel | Should -BeFalse
        }

        It 'replays a report without its invoked line with no warning, and agrees' {
            $r = Import-OomReport -LiteralPath $NoInvoked
            $o = Invoke-OutOfMemory -Report $r -WhatIf -WarningVariable w -WarningAction SilentlyContinue
            $w | Should -BeNullOrEmpty
            $o.Victim.Pid | Should -Be 3974
            $o.AgreesWithKernel | Should -BeTrue
        }

        It 'warns, without an error, about a report that cannot be replayed, and writes nothing for it (issue 11)' {
            $r = '[   12.500000] Out of memory: Killed process 123 (x) total-vm:1000kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0' |
                Import-OomReport
            $o = Invoke-OutOfMemory -Report $r -ErrorAction Stop -ErrorVariable ev -WarningVariable w -WarningAction SilentlyContinue
            $o | Should -BeNullOrEmpty
            $ev | Should -BeNullOrEmpty
            "$w" | Should -BeLike "*#1*cannot be replayed: the kernel rate-limited this report*Nothing was run.*"
        }

        It 'goes on with the next piped report after one that cannot be replayed, even under -ErrorAction Stop' {
            $lone = '[   12.500000] Out of memory: Killed process 123 (x) total-vm:1000kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0' |
                Import-OomReport
            $o = @($lone, (Import-OomReport -LiteralPath $Clamd) | Invoke-OutOfMemory -WhatIf -ErrorAction Stop -WarningVariable w -WarningAction SilentlyContinue)
            $o.Count | Should -Be 1
            $o[0].Victim.Pid | Should -Be 517
            @($w).Count | Should -Be 1
        }

        It 'lets explicit parameters override the report: -Current, -GfpMask' {
            $r = Import-OomReport -LiteralPath $Clamd
            # GFP_NOFS: a global OOM without __GFP_FS kills nothing.
            $o = Invoke-OutOfMemory -Report $r -GfpMask GFP_NOFS -WhatIf
            $o.Victim | Should -BeNullOrEmpty
            $o.AgreesWithKernel | Should -BeFalse
            $o.Disagreement | Should -BeLike 'The kernel chose 517 (clamd);*'
        }
    }

    Context '-KernelVersion: the scoring rules of another kernel' {
        It 'uses the per-mille score of old kernels, where root''s 30 points off turns the SysRq-f choice' {
            $r = Import-OomReport -LiteralPath $SysRq
            # totalpages = 524158 - 17809 = 506349, no swap.
            # 651 (root): 5258 * 1000 / 506349 = 10, - 30 -> at most 0 -> 1.  589 (uid 103): 2972 * 1000 / 506349 = 5.
            $o = Invoke-Replay $r -KernelVersion 3.0
            $o.Victim.Pid | Should -Be 589
            $o.VictimPoints | Should -Be 5
            ($o.Candidates | Where-Object Pid -EQ 651).Points | Should -Be 1
            $o.AgreesWithKernel | Should -BeFalse
            $o.Disagreement | Should -BeLike 'The kernel chose 651 (unattended-upgr); the replay scores it 1 points (rank *); the replay chose 589 (systemd-resolve) with 5 points under oom_badness rules of Linux 3.0.'
        }

        It 'takes 3% off root''s points before 4.17: 5258 - 157 = 5101' {
            $r = Import-OomReport -LiteralPath $SysRq
            (Invoke-Replay $r -KernelVersion 4.16).VictimPoints | Should -Be 5101
            (Invoke-Replay $r -KernelVersion 4.17).VictimPoints | Should -Be 5258
        }

        It 'scores every eligible task at least 1 before 5.9' {
            $r = Import-OomReport -LiteralPath $Clamd
            $journal = { param($o) ($o.Candidates | Where-Object Pid -EQ 199).Points }
            & $journal (Invoke-Replay $r -KernelVersion 5.8) | Should -Be 1
            & $journal (Invoke-Replay $r -KernelVersion 5.9) | Should -Be -1338735
        }

        It 'gives a tie to the earlier task on old kernels and to the later one on new kernels' {
            $r = Import-OomReport -LiteralPath $Clamd
            Set-OomTask -Machine $r.Machine -Pid 517 -OomScoreAdj -1000
            # rspamd 584 (earlier in the table): 14737 + 9590 + 96 = 24423, the same as rspamd 1682: 16509 + 7811 + 103.
            Set-OomTask -Machine $r.Machine -Pid 584 -SwapPages 9590
            $new = Invoke-Replay $r
            $new.Victim.Pid | Should -Be 1682
            $new.VictimPoints | Should -Be 24423
            $old = Invoke-Replay $r -KernelVersion 5.0
            $old.Victim.Pid | Should -Be 584
            $old.VictimPoints | Should -Be 24423
        }

        It 'leaves the report machine''s own rules alone with -WhatIf' {
            $r = Import-OomReport -LiteralPath $Rhel6
            $null = Invoke-Replay $r -KernelVersion 6.1
            $r.Machine.Scoring.Version | Should -Be ([version]'2.6')
            (Invoke-Replay $r).VictimPoints | Should -Be 441     # 889625 * 1000 / 2015282, per mille
        }
    }

    Context 'what-if on $report.Machine' {
        It 'answers "if clamd had oom_score_adj -1000, who would have died?"' {
            $r = Import-OomReport -LiteralPath $Clamd
            Set-OomTask -Machine $r.Machine -Pid 517 -OomScoreAdj -1000
            $o = Invoke-OutOfMemory -Machine $r.Machine -Cgroup $r.Cgroup -WhatIf
            $o.Victim.Pid | Should -Be 1682
            $o.VictimPoints | Should -Be 24423                 # 16509 + 7811 + 421888/4096
            ($o.Candidates | Where-Object Pid -EQ 517).Reason | Should -Be 'OomScoreAdjMin'
        }

        It 'replays the changed report and explains that the kernel chose otherwise' {
            $r = Import-OomReport -LiteralPath $Clamd
            Set-OomTask -Machine $r.Machine -Pid 517 -OomScoreAdj -1000
            $o = Invoke-Replay $r
            $o.Victim.Pid | Should -Be 1682
            $o.AgreesWithKernel | Should -BeFalse
            $o.Disagreement | Should -Be 'The kernel chose 517 (clamd); the replay passes it over (OomScoreAdjMin); the replay chose 1682 (rspamd) with 24423 points under oom_badness rules of Linux 5.10.'
        }

        It 'answers a memcg what-if inside the report''s cgroup' {
            $r = Import-OomReport -LiteralPath $ProxmoxMemcg
            Set-OomTask -Machine $r.Machine -Pid 3902942 -OomScoreAdj -1000
            $o = Invoke-OutOfMemory -Machine $r.Machine -Cgroup $r.Cgroup -WhatIf
            "$($o.Constraint)" | Should -Be 'Memcg'
            $o.TotalPages.Value | Should -Be 7802880
            $o.Victim.Pid | Should -Be 3589018
            $o.VictimPoints | Should -Be 1818038               # 1814349 + 15110144/4096
        }

        It 'answers "if clamd had not been running" with Remove-OomTask' {
            $r = Import-OomReport -LiteralPath $Clamd
            Remove-OomTask -Machine $r.Machine -Pid 517
            (Invoke-OutOfMemory -Machine $r.Machine -WhatIf).Victim.Pid | Should -Be 1682
        }

        It 'ranks the report''s processes with Get-OomBadness' {
            $r = Import-OomReport -LiteralPath $Clamd
            $ranked = @(Get-OomBadness -Machine $r.Machine | Where-Object Rank -GT 0 | Sort-Object Rank)
            @($ranked[0..2] | ForEach-Object Pid) | Should -Be @(517, 1682, 584)
            $ranked[0].Points | Should -Be 530496
            $ranked[0].RssPages | Should -Be 422324
            $ranked[0].SwapPages | Should -Be 107099
            $ranked[0].PageTablePages | Should -Be 1073
        }
    }
}

Describe 'Import-OomReport: hidden state inferred from what the kernel printed (issue 9)' {
    BeforeAll {
        $Shapes = Join-Path $RepoRoot 'tests/fixtures/kernel-logs/shapes'
    }

    It 'infers a vfork child from identical rows when the kernel passed over the later one (in_vfork)' {
        $r = Import-OomReport -LiteralPath (Join-Path $Shapes 'vfork-1003.log')
        $r.AgreedBeforeInference | Should -BeFalse
        # The stat lines' shmem rule changes only what a kill frees; the choice's inference is the vfork pair alone.
        @($r.Inferred | Where-Object { $_ -notlike "the cgroup's charged shmem*" }) | Should -Be @('pid 15953 is a vfork child of pid 15950 (identical rows, one mm): in_vfork() is never chosen and dies with its parent')
        $r.Assumptions | Should -Contain 'the kernel''s choice implies pid 15953 is a vfork child of pid 15950 (identical rows, one mm): in_vfork() is never chosen and dies with its parent'
        $r.Machine.FindTask(15953).InVfork | Should -BeTrue
        $r.Machine.FindTask(15953).SharesMemoryWith | Should -Be 15950
    }

    It 'infers nothing when the replay as printed agrees, and notes identical rows that may be one mm' {
        $r = @(Import-OomReport -LiteralPath (Join-Path $Shapes 'clonevm-1003.log'))[0]
        $r.AgreedBeforeInference | Should -BeTrue
        # Nothing inferred for the choice; the stat lines (total_rss) then say the two sets of identical rows are
        # one mm each, which changes who dies together and what a kill frees, not the choice.
        @($r.Inferred | Where-Object { $_ -notlike 'the stat lines charge the rows*' -and $_ -notlike "the cgroup's charged shmem*" }).Count | Should -Be 0
        @($r.Inferred | Where-Object { $_ -like 'the stat lines charge the rows* only if identical rows are one mm*CLONE_VM*' }).Count | Should -BeGreaterThan 0
        @($r.Assumptions | Where-Object { $_ -like 'pids * and 16985 print identical mm counters: they may be one mm*' }).Count | Should -BeGreaterThan 0
    }

    It 'names an exited group leader by its tgid, with the thread the kernel printed beside it' {
        $r = Import-OomReport -LiteralPath (Join-Path $Shapes 'exitleader-1001.log')
        $r.SelectedPid | Should -Be 18262
        $r.SelectedTid | Should -Be 18268
        @($r.KilledPids) | Should -Be @(18262)
        @($r.KilledTids) | Should -Be @(18268)
        $row = $r.Tasks | Where-Object Tid -EQ 18268
        $row.Pid | Should -Be 18262
        $row.PrintedByThread | Should -BeTrue
    }

    It 'names every guess of a report without its invoked line in Assumptions' {
        $r = Import-OomReport -LiteralPath $NoInvoked
        $r.Assumptions | Should -Contain 'the allocation is not shown (no ''invoked oom-killer'' line): order 0 with GFP_KERNEL assumed'
        $r.Assumptions | Should -Contain "the table does not show each process's memory cgroup: every row is placed in $($r.OomMemcg)"
    }
}
