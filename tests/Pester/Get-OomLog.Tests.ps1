BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Get-OomLog' {

    It 'returns nothing for a machine that has printed nothing' {
        Get-OomLog -Machine (New-OomMachine) | Should -BeNullOrEmpty
    }

    Context 'a global OOM report' {
        BeforeAll {
            # 16GB RAM, 2GB swap. The victim: 1MB anon, 8MB file, 4MB shmem, 2MB swap, 64kB page tables.
            $m = New-OomMachine -Name box -Swap 2GB
            Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 100KB -OomScoreAdj 0
            Add-OomTask -Machine $m -Pid 2 -Name kthreadd -KernelThread
            Add-OomTask -Machine $m -Pid 100 -Name w -AnonRss 1MB -FileRss 8MB -ShmemRss 4MB -Swap 2MB -PageTableBytes 65536 -Uid 1000 -OomScoreAdj 300
            Add-OomTask -Machine $m -Pid 501 -Name worker -AnonRss 1MB
            $outcome = Invoke-OutOfMemory -Machine $m
            $entries = @(Get-OomLog -Machine $m)
            $text = Get-OomLogText $entries
        }

        It 'returns KernelLogEntry objects with a level, a text and a dmesg timestamp' {
            $entries[0] | Should -BeOfType ([OomTools.Engine.Log.KernelLogEntry])
            $entries[0].Timestamp | Should -Be '[    0.000000]'
            $entries.Count | Should -Be $m.Log.Count
        }

        It 'starts with the "invoked oom-killer" line (KERN_WARNING)' {
            $text[0] | Should -Be 'kworker/0:1 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0'
            $entries[0].Level | Should -Be 'Warning'
        }

        It 'shows the memory totals: swap in kB and RAM in pages' {
            $text | Should -Contain 'Mem-Info:'
            $text | Should -Contain 'Free swap  = 2095104kB'      # 2097152kB - 2048kB used by w
            $text | Should -Contain 'Total swap = 2097152kB'
            $text | Should -Contain '4194304 pages RAM'
        }

        It 'prints the task table with the 6.8+ header and dump_task''s column widths, without unkillable tasks' {
            $i = [array]::IndexOf($text, 'Tasks state (memory values in pages):')
            $i | Should -BeGreaterThan 0
            $text[$i + 1] | Should -Be '[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name'
            # total_vm = 256 + 2048 + 1024 + 512 = 3840; rss = 3328
            $text[$i + 2] | Should -Be '[    100]  1000   100     3840     3328      256     2048      1024    65536      512           300 w'
            $text[$i + 3] | Should -Be '[    501]     0   501      256      256      256        0         0        0        0             0 worker'
            $entries[$i + 2].Level | Should -Be 'Info'
        }

        It 'prints the one-line oom-kill summary (KERN_INFO)' {
            $line = 'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=w,pid=100,uid=1000'
            $text | Should -Contain $line
            ($entries | Where-Object Text -EQ $line).Level | Should -Be 'Info'
        }

        It 'prints "Killed process" in the kernel''s exact format, sizes in kB (KERN_ERR)' {
            # total-vm 3840 pages = 15360kB, anon 1024kB, file 8192kB, shmem 4096kB, pgtables 65536 >> 10 = 64kB
            $text[-1] | Should -Be 'Out of memory: Killed process 100 (w) total-vm:15360kB, anon-rss:1024kB, file-rss:8192kB, shmem-rss:4096kB, UID:1000 pgtables:64kB oom_score_adj:300'
            $entries[-1].Level | Should -Be 'Err'
        }

        It 'prints the summary right before the kill line' {
            $text[-2] | Should -BeLike 'oom-kill:constraint=*'
        }

        It 'gives the same lines as the outcome of the call' {
            Get-OomLogText $outcome.Log | Should -Be $text
        }
    }

    Context 'the kill line for the simplest victim' {
        It 'reads exactly as the kernel prints it' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 501 -Name worker -AnonRss 1GB
            Invoke-OutOfMemory -Machine $m | Out-Null
            $text = Get-OomLogText (Get-OomLog -Machine $m)
            $text | Should -Contain 'Out of memory: Killed process 501 (worker) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
            $text | Should -Contain 'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=worker,pid=501,uid=0'
        }

        It 'converts pages to kB with the machine''s page size (16kB pages)' {
            $m = New-OomMachine -PageSize 16384
            Add-OomTask -Machine $m -Pid 501 -Name worker -AnonRss 1GB      # 65536 pages of 16kB
            Invoke-OutOfMemory -Machine $m | Out-Null
            Get-OomLogText (Get-OomLog -Machine $m) |
                Should -Contain 'Out of memory: Killed process 501 (worker) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
        }

        It 'prints the pid of the thread that still has the mm when the leader has exited' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name t -AnonRss 1GB -Threads 3 -DetachedThreads 1
            Invoke-OutOfMemory -Machine $m | Out-Null
            $text = Get-OomLogText (Get-OomLog -Machine $m)
            $text | Should -Contain '[    101]     0   100   262144   262144   262144        0         0        0        0             0 t'
            $text | Should -Contain 'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=t,pid=100,uid=0'
            $text | Should -Contain 'Out of memory: Killed process 101 (t) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
        }
    }

    Context 'a memory cgroup OOM report' {
        It 'prints the cgroup''s counters instead of Mem-Info (v2)' {
            $m = New-OomMachine
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $m -Pid 101 -Name a -AnonRss 100MB -Cgroup /app
            Add-OomTask -Machine $m -Pid 102 -Name b -AnonRss 100MB -Cgroup /app
            Invoke-OutOfMemory -Machine $m -Cgroup /app | Out-Null
            $text = Get-OomLogText (Get-OomLog -Machine $m)
            $text[1] | Should -Be 'memory: usage 204800kB, limit 1048576kB, failcnt 0'
            $text[2] | Should -Be 'swap: usage 0kB, limit 9007199254740988kB, failcnt 0'
            $text | Should -Not -Contain 'Mem-Info:'
        }

        It 'prints memory+swap and kmem on cgroup v1' {
            $m = New-OomMachine -CgroupVersion 1 -Swap 1GB
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB -SwapMax 256MB | Out-Null
            Add-OomTask -Machine $m -Pid 101 -Name a -AnonRss 100MB -Cgroup /app
            Invoke-OutOfMemory -Machine $m -Cgroup /app | Out-Null
            $text = Get-OomLogText (Get-OomLog -Machine $m)
            $text[1] | Should -Be 'memory: usage 102400kB, limit 1048576kB, failcnt 0'
            $text[2] | Should -Be 'memory+swap: usage 102400kB, limit 1310720kB, failcnt 0'
            $text[3] | Should -Be 'kmem: usage 0kB, limit 9007199254740988kB, failcnt 0'
        }
    }

    Context '-Raw and -Tail' {
        BeforeAll {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name b -AnonRss 2GB
            Invoke-OutOfMemory -Machine $m | Out-Null
            $all = @(Get-OomLog -Machine $m)
        }

        It 'returns plain strings with the dmesg timestamp with -Raw' {
            $raw = @(Get-OomLog -Machine $m -Raw)
            $raw.Count | Should -Be $all.Count
            $raw[0] | Should -BeOfType ([string])
            $raw[0] | Should -Be '[    0.000000] kworker/0:1 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0'
            $raw[-1] | Should -Be '[    0.000000] Out of memory: Killed process 101 (b) total-vm:2097152kB, anon-rss:2097152kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
        }

        It 'returns only the last N lines with -Tail, in order' {
            $tail = @(Get-OomLog -Machine $m -Tail 2)
            $tail.Count | Should -Be 2
            $tail[0].Text | Should -Be 'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=b,pid=101,uid=0'
            $tail[1].Text | Should -BeLike 'Out of memory: Killed process 101 (b)*'
        }

        It 'combines -Tail and -Raw' {
            @(Get-OomLog -Machine $m -Tail 1 -Raw) |
                Should -Be @('[    0.000000] Out of memory: Killed process 101 (b) total-vm:2097152kB, anon-rss:2097152kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0')
        }

        It 'stamps each line with the machine clock as [%5lu.%06lu]' {
            $c = New-OomMachine
            Add-OomTask -Machine $c -Pid 100 -Name a -AnonRss 1GB
            $c.Clock.Advance([timespan]::FromTicks(123456780))    # 12.345678 s
            Invoke-OutOfMemory -Machine $c | Out-Null
            @(Get-OomLog -Machine $c -Tail 1 -Raw)[0] |
                Should -Be '[   12.345678] Out of memory: Killed process 100 (a) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
        }

        It 'returns the whole log for a -Tail longer than the log' {
            @(Get-OomLog -Machine $m -Tail 1000).Count | Should -Be $all.Count
        }

        It 'refuses -Tail 0 with ParameterArgumentValidationError' {
            { Get-OomLog -Machine $m -Tail 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.GetOomLogCommand'
        }
    }

    Context 'several OOMs' {
        It 'keeps every report in order, and the outcome of each call holds only its own lines' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name b -AnonRss 2GB
            $first = Invoke-OutOfMemory -Machine $m
            Remove-OomTask -Machine $m -Pid 101
            $second = Invoke-OutOfMemory -Machine $m
            $text = Get-OomLogText (Get-OomLog -Machine $m)
            $text.Count | Should -Be ($first.Log.Count + $second.Log.Count)
            @($text | Where-Object { $_ -like '*Killed process*' }) | Should -Be @(
                'Out of memory: Killed process 101 (b) total-vm:2097152kB, anon-rss:2097152kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
                'Out of memory: Killed process 100 (a) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
            )
            $second.Log[0].Text | Should -BeLike '*invoked oom-killer*'
        }
    }

    Context 'pipeline' {
        BeforeAll {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
            $outcome = Invoke-OutOfMemory -Machine $m
        }

        It 'takes the machine from the pipeline' {
            @($m | Get-OomLog).Count | Should -Be $m.Log.Count
        }

        It 'takes the machine by property name, such as from an OOM outcome' {
            @($outcome | Get-OomLog -Tail 1 -Raw)[0] | Should -BeLike '*Killed process 100 (a)*'
        }
    }
}
