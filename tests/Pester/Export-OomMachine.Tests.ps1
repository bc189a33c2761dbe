BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-FleetHost([string]$Name = 'web-01') {
        $m = New-OomMachine -Name $Name -Memory 8GB -Swap 1GB
        New-OomCgroup -Machine $m -Path /app -MemoryMax 4GB | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 10MB | Out-Null
        Add-OomTask -Machine $m -Pid 100 -Name postgres -AnonRss 2GB -OomScoreAdj -500 | Out-Null
        Add-OomTask -Machine $m -Pid 101 -Name pg-worker -SharesMemoryWith 100 | Out-Null
        Add-OomTask -Machine $m -Pid 200 -Name java -AnonRss 3GB -Cgroup /app -Threads 4 | Out-Null
        $m
    }
}

Describe 'Export-OomMachine' {
    BeforeAll {
        $m = New-FleetHost
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-export-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $dir
    }
    AfterAll {
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
    }

    It 'returns the machine as one oomtools.machine/v1 JSON string when no path is given' {
        $json = Export-OomMachine -Machine $m
        $json | Should -BeOfType ([string])
        @($json).Count | Should -Be 1
        $doc = $json | ConvertFrom-Json
        $doc.schema | Should -Be 'oomtools.machine/v1'
        $doc.name | Should -Be 'web-01'
        $doc.pageSize | Should -Be 4096
        $doc.ramPages | Should -Be 2097152       # 8GB / 4096
        $doc.swapPages | Should -Be 262144       # 1GB / 4096
        $doc.kernelVersion | Should -Be '6.12'
        $doc.hz | Should -Be 250
        $doc.cgroupVersion | Should -Be 2
        $doc.sysctls.'vm.swappiness' | Should -Be 60
        @($doc.memoryCgroups.path) | Should -Be @('/', '/app')
        $doc.memoryCgroups[1].memoryMax | Should -Be 1048576
        $doc.memoryCgroups[0].memoryMax | Should -Be 'max'
        @($doc.tasks.pid) | Should -Be @(1, 100, 101, 200)
    }

    It 'writes every field of a process, and the same mm id for processes that share one' {
        $doc = Export-OomMachine -Machine $m | ConvertFrom-Json
        $pg = $doc.tasks[1]
        $pg.comm | Should -Be 'postgres'
        $pg.oomScoreAdj | Should -Be -500
        $pg.mm.anonPages | Should -Be 524288     # 2GB / 4096
        $pg.mm.users | Should -Be 2
        $doc.tasks[2].mm.id | Should -Be $pg.mm.id
        $doc.tasks[2].mm.ownerPid | Should -Be 100
        @($doc.tasks[3].threads).Count | Should -Be 4
        $doc.tasks[3].cgroup | Should -Be '/app'
        foreach ($name in 'pid', 'tgid', 'comm', 'uid', 'oomScoreAdj', 'oomScoreAdjMin', 'cgroup', 'cpuset', 'mempolicyBind',
            'kernelThread', 'globalInit', 'exiting', 'groupExiting', 'coreDumping', 'inVfork', 'oomOrigin', 'frozen', 'memDie',
            'reaperTimerExpires', 'threads', 'mm', 'oomMm') {
            $pg.PSObject.Properties.Name | Should -Contain $name
        }
        foreach ($name in 'anonPages', 'filePages', 'shmemPages', 'swapEntries', 'pageTableBytes', 'totalVm', 'flags') {
            $pg.mm.PSObject.Properties.Name | Should -Contain $name
        }
    }

    It 'writes the file with -Path, returns its FileInfo with -PassThru, and the file holds the same JSON' {
        $path = Join-Path $dir 'web-01.json'
        $file = Export-OomMachine -Machine $m -Path $path -PassThru
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $path
        (Get-Content -LiteralPath $path -Raw).TrimEnd("`n") | Should -BeExactly (Export-OomMachine -Machine $m)
    }

    It 'writes nothing to the pipeline with -Path alone' {
        Export-OomMachine -Machine $m -Path (Join-Path $dir 'quiet.json') | Should -BeNullOrEmpty
        Test-Path (Join-Path $dir 'quiet.json') | Should -BeTrue
    }

    It 'takes the machine from the pipeline and the path by position' {
        $path = Join-Path $dir 'piped.json'
        $m | Export-OomMachine $path
        (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json).name | Should -Be 'web-01'
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $dir 'whatif.json'
        Export-OomMachine -Machine $m -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'replaces an existing file, but not with -NoClobber (FileExists)' {
        $path = Join-Path $dir 'existing.json'
        Set-Content -LiteralPath $path -Value 'old'
        Export-OomMachine -Machine $m -Path $path -NoClobber -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'FileExists,OomTools.Commands.ExportOomMachineCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-Content -LiteralPath $path -Raw).Trim() | Should -Be 'old'

        Export-OomMachine -Machine $m -Path $path
        (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json).schema | Should -Be 'oomtools.machine/v1'
    }

    It 'writes a name with wildcard characters through -LiteralPath' {
        $path = Join-Path $dir 'host[1].json'
        Export-OomMachine -Machine $m -LiteralPath $path
        Test-Path -LiteralPath $path | Should -BeTrue
    }

    It 'refuses a -Path whose wildcards do not match exactly one file (AmbiguousPath)' {
        Export-OomMachine -Machine $m -Path (Join-Path $dir 'nothing*.json') -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'AmbiguousPath,OomTools.Commands.ExportOomMachineCommand'
    }

    It 'refuses a folder (PathIsFolder)' {
        Export-OomMachine -Machine $m -Path $dir -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'PathIsFolder,OomTools.Commands.ExportOomMachineCommand'
    }

    It 'writes one machine per file: a second machine piped to the same -Path is an error' {
        $path = Join-Path $dir 'two.json'
        $m, (New-FleetHost -Name 'web-02') | Export-OomMachine -Path $path -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'OneMachinePerFile,OomTools.Commands.ExportOomMachineCommand'
        (Get-Content -LiteralPath $path -Raw | ConvertFrom-Json).name | Should -Be 'web-01'
    }

    It 'returns one string per machine piped in without -Path' {
        $out = @($m, (New-FleetHost -Name 'web-02') | Export-OomMachine)
        $out.Count | Should -Be 2
        ($out[1] | ConvertFrom-Json).name | Should -Be 'web-02'
    }

    It 'supports ShouldProcess' {
        $cmd = Get-Command Export-OomMachine
        $cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $cmd.Parameters.ContainsKey('Confirm') | Should -BeTrue
    }
}
