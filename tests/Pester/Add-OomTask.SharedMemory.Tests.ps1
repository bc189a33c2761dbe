BeforeAll {
    . $PSScriptRoot/common.ps1
}

# Shared memory on Add-OomTask and Set-OomTask: copy-on-write pages after fork, MAP_SHARED anon regions and shmem
# files, each charged to one cgroup and freed by a kill only when no survivor maps it. 1MB = 256 pages of 4 KiB.
Describe 'Add-OomTask shared memory' {
    BeforeEach {
        $m = New-OomMachine -Name box -Memory 4GB
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        New-OomCgroup -Machine $m -Path /app
    }

    Context '-CowSharedWith' {
        It 'makes a pool of the parent''s pages, charged to the parent''s cgroup, counted in both rss' {
            Add-OomTask -Machine $m -Pid 100 -Name parent -AnonRss 48MB
            $child = Add-OomTask -Machine $m -Pid 101 -Name child -AnonRss 64MB -Cgroup /app -CowSharedWith 100 -CowSharedSize 40MB -PassThru
            $pool = $m.FindShared('cow:100')
            $pool.Kind | Should -Be 'CowAnon'
            $pool.PageCount | Should -Be 10240
            $pool.Memcg.Path | Should -Be '/'
            $pool.MapperPids | Should -Be @(100, 101)
            $child.Rss.Value | Should -Be 16384
            $child.Mm.PrivateAnonPages.Value | Should -Be 6144
            [OomTools.Engine.Memcontrol.MemCgroups]::MemoryCurrent($m.FindCgroup('/app')).Value | Should -Be 6144
        }

        It 'takes the parent''s private anonymous memory when no size is given, and that as the child''s rss' {
            Add-OomTask -Machine $m -Pid 100 -Name parent -AnonRss 48MB
            $child = Add-OomTask -Machine $m -Pid 101 -Name child -CowSharedWith 100 -PassThru
            $m.FindShared('cow:100').PageCount | Should -Be 12288
            $child.AnonPages.Value | Should -Be 12288
        }

        It 'lets a sibling join the parent''s pool' {
            Add-OomTask -Machine $m -Pid 100 -Name parent -AnonRss 48MB
            Add-OomTask -Machine $m -Pid 101 -Name a -AnonRss 64MB -CowSharedWith 100 -CowSharedPages 10240
            Add-OomTask -Machine $m -Pid 102 -Name b -AnonRss 50MB -CowSharedWith 100
            @($m.Shared).Count | Should -Be 1
            $m.FindShared('cow:100').MapperPids | Should -Be @(100, 101, 102)
        }

        It 'binds by property name from CSV rows' {
            Add-OomTask -Machine $m -Pid 100 -Name parent -AnonRss 48MB
            @(
                [pscustomobject]@{ Pid = 101; Name = 'w1'; AnonRss = 64MB; CowSharedWith = 100; CowSharedSize = 40MB; ShmemFile = ''; SharedSize = '' }
                [pscustomobject]@{ Pid = 102; Name = 'w2'; AnonRss = 64MB; CowSharedWith = 100; CowSharedSize = ''; ShmemFile = '/dev/shm/q'; SharedSize = 8MB }
            ) | Add-OomTask -Machine $m
            $m.FindShared('cow:100').MapperPids | Should -Be @(100, 101, 102)
            $m.FindShared('/dev/shm/q').MapperPids | Should -Be @(102)
            $m.FindTask(102).ShmemPages.Value | Should -Be 2048
        }
    }

    Context '-SharedAnonRegion and -ShmemFile' {
        It 'frees a shared anon region once, with its last mapper, whoever that is' {
            Add-OomTask -Machine $m -Pid 100 -Name postmaster -AnonRss 40MB -SharedAnonRegion buffers -SharedSize 1GB
            101..102 | ForEach-Object { Add-OomTask -Machine $m -Pid $_ -Name backend -AnonRss (10MB * ($_ - 99)) -SharedAnonRegion buffers }
            $m.FindTask(102).ShmemPages.Value | Should -Be 262144
            $steps = @(Get-OomKillOrder -Machine $m)
            # The postmaster has the most anon and goes first; the backends still map the region.
            $steps.Pid | Should -Be @(100, 102, 101)
            @($steps | ForEach-Object { $_.Freed.Value }) | Should -Be @(10240, 7680, (5120 + 262144))
        }

        It 'keeps a linked file''s pages after every mapper dies, frees an unlinked one with the last' {
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 4MB -ShmemFile /dev/shm/keep -SharedSize 64MB
            Add-OomTask -Machine $m -Pid 101 -Name b -AnonRss 4MB -ShmemFile /dev/shm/gone -SharedSize 32MB -Unlinked
            $m.FindShared('/dev/shm/keep').Linked | Should -BeTrue
            $m.FindShared('/dev/shm/gone').Linked | Should -BeFalse
            $steps = @(Get-OomKillOrder -Machine $m)
            $steps.Pid | Should -Be @(100, 101)
            @($steps | ForEach-Object { $_.Freed.Value }) | Should -Be @(1024, 9216)
        }
    }

    Context 'refusals' {
        It 'refuses a counter smaller than the shared pages it holds, and adds nothing' {
            Add-OomTask -Machine $m -Pid 100 -Name parent -AnonRss 48MB
            { Add-OomTask -Machine $m -Pid 101 -Name child -AnonRss 8MB -CowSharedWith 100 -CowSharedSize 40MB -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument*'
            $m.FindTask(101) | Should -BeNullOrEmpty
            $m.Shared | Should -BeNullOrEmpty
        }

        It 'refuses a new region without a size, a size without an object and -Unlinked without a file' {
            { Add-OomTask -Machine $m -Pid 101 -Name x -SharedAnonRegion r -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
            { Add-OomTask -Machine $m -Pid 101 -Name x -SharedSize 1MB -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
            { Add-OomTask -Machine $m -Pid 101 -Name x -SharedAnonRegion r -SharedSize 1MB -Unlinked -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
            { Add-OomTask -Machine $m -Pid 101 -Name x -CowSharedWith 999 -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
        }

        It 'changes nothing with -WhatIf' {
            Add-OomTask -Machine $m -Pid 100 -Name a -SharedAnonRegion r -SharedSize 1MB -WhatIf
            $m.Shared | Should -BeNullOrEmpty
        }
    }
}

Describe 'Set-OomTask shared memory' {
    BeforeEach {
        $m = New-OomMachine -Name box -Memory 4GB
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        Add-OomTask -Machine $m -Pid 500 -Name parent -AnonRss 48MB
        Add-OomTask -Machine $m -Pid 501 -Name worker -AnonRss 64MB
        Add-OomTask -Machine $m -Pid 502 -Name worker -AnonRss 64MB -ShmemRss 32MB
    }

    It 'says which of a process''s pages are shared, leaving counters that already hold them' {
        Set-OomTask -Machine $m -Pid 501, 502 -CowSharedWith 500 -CowSharedSize 44MB
        $m.FindShared('cow:500').MapperPids | Should -Be @(500, 501, 502)
        $m.FindTask(501).AnonPages.Value | Should -Be 16384
        $m.FindTask(501).Mm.SharedAnonPages.Value | Should -Be 11264
    }

    It 'raises a counter that falls short: the process faulted the pages in' {
        Set-OomTask -Machine $m -Pid 501 -ShmemFile /dev/shm/f -SharedSize 16MB
        $m.FindTask(501).ShmemPages.Value | Should -Be 4096
    }

    It 'unlinks a file a process maps; its pages then go with the last mapping' {
        Set-OomTask -Machine $m -Pid 502 -ShmemFile /dev/shm/q -SharedSize 32MB
        $m.FindShared('/dev/shm/q').Linked | Should -BeTrue
        Get-OomTask -Machine $m -Pid 502 | Set-OomTask -Machine $m -ShmemFile /dev/shm/q -Unlinked
        $m.FindShared('/dev/shm/q').Linked | Should -BeFalse
        (Get-OomKillOrder -Machine $m -Count 1).Freed.Value | Should -Be (16384 + 8192)
    }

    It 'refuses to lower a counter below the shared pages it holds' {
        Set-OomTask -Machine $m -Pid 501 -CowSharedWith 500 -CowSharedSize 44MB
        { Set-OomTask -Machine $m -Pid 501 -AnonRss 10MB -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
        $m.FindTask(501).AnonPages.Value | Should -Be 16384
    }

    It 'survives Export-OomMachine and Import-OomMachine' {
        Set-OomTask -Machine $m -Pid 501, 502 -CowSharedWith 500 -CowSharedSize 44MB
        $path = Join-Path $TestDrive 'm.json'
        Export-OomMachine -Machine $m -Path $path
        $copy = Import-OomMachine -Path $path
        $copy.FindShared('cow:500').MapperPids | Should -Be @(500, 501, 502)
    }
}

Describe 'Kill orders on a prefork host' {
    BeforeAll {
        # 16 GiB = 4194304 pages. The postmaster maps 8 GiB of shared buffers; 16 backends forked from it map them
        # too and still share 20 MiB (5120 pages) of its heap. Backend 100+i has 100 MiB + 10 MiB * i of its own.
        $m = New-OomMachine -Name db-host -Memory 16GB
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        Add-OomTask -Machine $m -Pid 100 -Name postmaster -AnonRss 40MB -SharedAnonRegion pg-buffers -SharedSize 8GB
        1..16 | ForEach-Object {
            Add-OomTask -Machine $m -Pid (100 + $_) -Name backend -AnonRss (120MB + $_ * 10MB) -CowSharedWith 100 -CowSharedSize 20MB -SharedAnonRegion pg-buffers
        }
    }

    It 'scores every backend with the buffers but frees them once, with the last mapper' {
        $steps = @(Get-OomKillOrder -Machine $m)
        $steps.Count | Should -Be 17
        $steps[-1].Pid | Should -Be 100
        @($steps[0..15] | ForEach-Object { $_.Freed.Value }) | Should -Be @(16..1 | ForEach-Object { 25600 + 2560 * $_ })
        $steps[-1].Freed.Value | Should -Be (5120 + 5120 + 2097152)
        $steps[-1].TotalFreed.Value | Should -Be 2865152
        $steps[-1].TotalFreed.Value | Should -BeLessThan 4194304
    }

    It 'counts kills to free memory by what each really gives back' {
        # 1 GiB = 262144 pages takes five backends' own memory, not one backend's 8 GiB of rss.
        @(Get-OomKillOrder -Machine $m -Free 1GB).Count | Should -Be 5
    }

    It 'places the postmaster last in Test-OomProtection' {
        $r = Test-OomProtection -Machine $m -Name postmaster -Kills 16
        $r.KillPosition | Should -Be 17
        $r.Protected | Should -BeTrue
    }
}
