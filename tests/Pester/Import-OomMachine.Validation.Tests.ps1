BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Import-OomMachine refuses what the cmdlets would not build' {
    BeforeAll {
        $head = '{"schema": "oomtools.machine/v1", "ramPages": 1000, '
    }

    It '<Label> is InvalidArgument naming <Fragment>, and nothing is imported' -ForEach @(
        @{ Label = 'a task with no threads'; Rest = '"tasks": [{"pid": 5, "comm": "a", "threads": []}]'; Fragment = '$.tasks[0].threads is empty (pid 5)' }
        @{ Label = 'a foreign tgid'; Rest = '"tasks": [{"pid": 5, "comm": "a", "tgid": 9}]'; Fragment = '$.tasks[0].tgid is 9' }
        @{ Label = 'two init processes'; Rest = '"tasks": [{"pid": 1, "comm": "init"}, {"pid": 5, "comm": "b", "globalInit": true}]'; Fragment = '$.tasks[1] (pid 5) is a global init' }
        @{ Label = 'a root memory limit of 0'; Rest = '"memoryCgroups": [{"path": "/", "memoryMax": 0}]'; Fragment = '$.memoryCgroups[0].memoryMax is 0' }
        @{ Label = 'a clock at long.MaxValue'; Rest = '"state": {"clockNs": 9223372036854775807}'; Fragment = '$.state.clockNs 9223372036854775807' }
        @{ Label = 'a non-canonical cgroup path'; Rest = '"memoryCgroups": [{"path": "/"}, {"path": "//x"}]'; Fragment = "'//x' is not a canonical cgroup path" }
    ) {
        $out = Import-OomMachine -Json ($head + $Rest + '}') -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ImportOomMachineCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($err[0])" | Should -BeLike "*$([WildcardPattern]::Escape($Fragment))*"
    }

    It 'a cgroup under a parent not listed before it is CgroupNotFound, naming the path' {
        $out = Import-OomMachine -Json ($head + '"memoryCgroups": [{"path": "/"}, {"path": "/a/b"}]}') -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'CgroupNotFound,OomTools.Commands.ImportOomMachineCommand'
        "$($err[0])" | Should -BeLike "*`$.memoryCgroups[[]1].path '/a/b'*"
    }

    It 'a file with a refused task names the file and the member' {
        $m = New-OomMachine -Name box
        Add-OomTask -Machine $m -Pid 100 -Name web -AnonRss 1MB
        $file = "$TestDrive/bad.json"
        (Export-OomMachine -Machine $m) -replace '"tgid": 100', '"tgid": 7' | Set-Content -LiteralPath $file
        $out = Import-OomMachine -LiteralPath $file -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        "$($err[0])" | Should -BeLike "$file*tgid is 7, but the process has pid 100*"
    }
}

Describe 'Export-OomMachine and Import-OomMachine stream files' {
    It 'writes a file equal to the text export, and reads it back the same' {
        $m = New-OomMachine -Name box
        New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB
        1..300 | ForEach-Object { Add-OomTask -Machine $m -Pid (100 + $_) -Name "w$_" -AnonRss 1MB -Cgroup /app }
        $file = "$TestDrive/box.json"
        Export-OomMachine -Machine $m -LiteralPath $file
        $text = Export-OomMachine -Machine $m
        [IO.File]::ReadAllText($file) | Should -Be ($text + "`n")
        Import-OomMachine -LiteralPath $file | Export-OomMachine | Should -Be $text
    }

    It 'exports and imports a cgroup tree 4,000 levels deep' {
        $m = New-OomMachine -Name deep
        $path = ''
        foreach ($i in 1..4000) { $path += '/c'; $null = $m.CreateCgroup($path) }
        Add-OomTask -Machine $m -Pid 100 -Name leaf -AnonRss 1MB -Cgroup $path
        $file = "$TestDrive/deep.json"
        Export-OomMachine -Machine $m -LiteralPath $file
        $copy = Import-OomMachine -LiteralPath $file
        $copy.FindTask(100).Cgroup | Should -Be $path
    }
}
