BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-FleetHost([string]$Name = 'db-01') {
        $m = New-OomMachine -Name $Name -Memory 16GB -Swap 2GB -NumaNodeCount 2 -CgroupVersion 1 -Swappiness 10 -Hz 1000 -KernelVersion 5.15
        New-OomCgroup -Machine $m -Path /db -MemoryMax 12GB -Swappiness 30 | Out-Null
        New-OomCgroup -Machine $m -Path /batch -MemoryMax 2GB | Out-Null
        New-OomCpuset -Machine $m -Path /numa1 -Mems 1 -Hardwall | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 10MB | Out-Null
        Add-OomTask -Machine $m -Pid 500 -Name postgres -AnonRss 6GB -Cgroup /db -OomScoreAdj -900 -Threads 3 | Out-Null
        Add-OomTask -Machine $m -Pid 510 -Name pg-bgworker -SharesMemoryWith 500 -Cgroup /db | Out-Null
        Add-OomTask -Machine $m -Pid 600 -Name etl -AnonRss 1500MB -Cgroup /batch -Cpuset /numa1 | Out-Null
        Add-OomTask -Machine $m -Pid 700 -Name cache -AnonRss 3GB -Uid 1000 | Out-Null
        $m
    }
}

Describe 'Import-OomMachine' {
    BeforeAll {
        $m = New-FleetHost
        $json = Export-OomMachine -Machine $m
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-import-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $dir
        $manifest = (Resolve-Path $ModuleManifestPath).Path
    }
    AfterAll {
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
    }

    Context 'round trip' {
        It 'gives the same machine back: machine -> JSON -> machine -> JSON is exact' {
            $copy = Import-OomMachine -Json $json
            $copy | Should -BeOfType ([OomTools.Engine.Model.OomMachine])
            [object]::ReferenceEquals($copy, $m) | Should -BeFalse
            Export-OomMachine -Machine $copy | Should -BeExactly $json
            Get-OomMachineState $copy | Should -BeExactly (Get-OomMachineState $m)
            $copy.KernelVersion | Should -Be ([version]'5.15')
            $copy.CgroupVersion | Should -Be 'V1'
            $copy.Nodes.Count | Should -Be 2
            $copy.Hz | Should -Be 1000
        }

        It 'reads a file written by Export-OomMachine (-Path and -LiteralPath)' {
            $path = Join-Path $dir 'db-01.json'
            Export-OomMachine -Machine $m -Path $path
            Export-OomMachine -Machine (Import-OomMachine -Path $path) | Should -BeExactly $json
            Export-OomMachine -Machine (Import-OomMachine -LiteralPath $path) | Should -BeExactly $json
        }

        It 'keeps a shared mm shared: the processes point at one mm again' {
            $copy = Import-OomMachine -Json $json
            $pg = Get-OomTask -Machine $copy -Pid 500
            $worker = Get-OomTask -Machine $copy -Pid 510
            [object]::ReferenceEquals($pg.Mm, $worker.Mm) | Should -BeTrue
            $worker.SharesMemoryWith | Should -Be 500
            $pg.Mm.Users | Should -Be 4      # 3 threads of postgres + the worker
            # One exit leaves the other holding the mm, as on the original.
            Remove-OomTask -Machine $copy -Pid 500 -Confirm:$false
            $worker.Mm.OwnerPid | Should -Be 510
        }

        It 'keeps what OOM kills left behind: victims, the kill count, the log' {
            $hit = New-FleetHost -Name 'hit'
            Invoke-OutOfMemory -Machine $hit -Confirm:$false | Out-Null
            Invoke-OutOfMemory -Machine $hit -Cgroup /batch -Confirm:$false | Out-Null
            $hit.OomKillCount | Should -BeGreaterThan 0
            $copy = Import-OomMachine -Json (Export-OomMachine -Machine $hit)
            Get-OomMachineState $copy | Should -BeExactly (Get-OomMachineState $hit)
            @(Get-OomLog -Machine $copy -Raw) | Should -Be @(Get-OomLog -Machine $hit -Raw)
            # ... and both decide the next OOM alike.
            (Invoke-OutOfMemory -Machine $copy -WhatIf).Reason | Should -Be (Invoke-OutOfMemory -Machine $hit -WhatIf).Reason
        }

        It 'reads every file a wildcard -Path matches, one machine each' {
            $sub = Join-Path $dir 'many'
            $null = New-Item -ItemType Directory -Path $sub
            foreach ($n in 'a', 'b', 'c') { Export-OomMachine -Machine (New-FleetHost -Name $n) -Path (Join-Path $sub "$n.json") }
            @(Import-OomMachine -Path (Join-Path $sub '*.json') | ForEach-Object Name | Sort-Object) | Should -Be @('a', 'b', 'c')
        }

        It 'reads JSON text piped in (Get-Content -Raw)' {
            $path = Join-Path $dir 'piped.json'
            Export-OomMachine -Machine $m -Path $path
            (Get-Content -LiteralPath $path -Raw | Import-OomMachine).Name | Should -Be 'db-01'
        }

        It 'reads files piped from Get-ChildItem' {
            $path = Join-Path $dir 'gci.json'
            Export-OomMachine -Machine $m -Path $path
            (Get-ChildItem -LiteralPath $path | Import-OomMachine).Name | Should -Be 'db-01'
        }
    }

    Context 'machines that went through PowerShell serialization' {
        It 'an OomMachine carries its JSON in a Json property' {
            $m.Json | Should -BeExactly $json
        }

        It 'rebuilds the machine from PSSerializer output (what Invoke-Command hands back)' {
            $xml = [System.Management.Automation.PSSerializer]::Serialize($m)
            $deserialized = [System.Management.Automation.PSSerializer]::Deserialize($xml)
            $deserialized | Should -Not -BeOfType ([OomTools.Engine.Model.OomMachine])
            $deserialized.PSObject.TypeNames[0] | Should -Be 'Deserialized.OomTools.Engine.Model.OomMachine'
            $deserialized.Name | Should -Be 'db-01'
            $deserialized.TaskCount | Should -Be 5

            $copy = Import-OomMachine -InputObject $deserialized
            $copy | Should -BeOfType ([OomTools.Engine.Model.OomMachine])
            Export-OomMachine -Machine $copy | Should -BeExactly $json
            [object]::ReferenceEquals((Get-OomTask -Machine $copy -Pid 500).Mm, (Get-OomTask -Machine $copy -Pid 510).Mm) | Should -BeTrue
            # By pipeline too.
            Export-OomMachine -Machine ($deserialized | Import-OomMachine) | Should -BeExactly $json
        }

        It 'rebuilds machines from Export-Clixml files' {
            $path = Join-Path $dir 'machines.clixml'
            $m, (New-FleetHost -Name 'db-02') | Export-Clixml -LiteralPath $path
            $copies = @(Import-Clixml -LiteralPath $path | Import-OomMachine)
            $copies.Count | Should -Be 2
            Export-OomMachine -Machine $copies[0] | Should -BeExactly $json
            $copies[1].Name | Should -Be 'db-02'
        }

        It 'rebuilds a machine that came back from another process (Start-Job)' {
            $back = Start-Job -ScriptBlock {
                param($manifest)
                Import-Module $manifest
                $j = New-OomMachine -Name 'from-a-job' -Memory 4GB
                Add-OomTask -Machine $j -Pid 10 -Name app -AnonRss 1GB | Out-Null
                Add-OomTask -Machine $j -Pid 11 -Name app-helper -SharesMemoryWith 10 | Out-Null
                $j
            } -ArgumentList $manifest | Receive-Job -Wait -AutoRemoveJob
            $back.PSObject.TypeNames[0] | Should -Be 'Deserialized.OomTools.Engine.Model.OomMachine'
            $copy = $back | Import-OomMachine
            $copy.Name | Should -Be 'from-a-job'
            [object]::ReferenceEquals((Get-OomTask -Machine $copy -Pid 10).Mm, (Get-OomTask -Machine $copy -Pid 11).Mm) | Should -BeTrue
            (Get-OomBadness -Machine $copy | Select-Object -First 1).Pid | Should -Be 11
        }

        It 'takes the live machines ForEach-Object -Parallel hands back, as independent copies' {
            $live = @(1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
                    Import-Module $using:manifest
                    $p = New-OomMachine -Name "par-$_"
                    Add-OomTask -Machine $p -Pid 10 -Name app -AnonRss ($_ * 100MB) | Out-Null
                    $p
                } | Sort-Object Name)   # -Parallel returns them in the order they finish
            $live.Count | Should -Be 3
            $live | ForEach-Object { $_ | Should -BeOfType ([OomTools.Engine.Model.OomMachine]) }
            # Live machines work with every cmdlet as they are ...
            (Test-OomProtection -Machine $live[1] -Name app).Rank | Should -Be 1
            $live[2].Json | Should -Match '"name": "par-3"'
            # ... and Import-OomMachine copies them.
            $copies = @($live | Import-OomMachine)
            $copies.Count | Should -Be 3
            [object]::ReferenceEquals($copies[0], $live[0]) | Should -BeFalse
            Export-OomMachine -Machine $copies[0] | Should -BeExactly (Export-OomMachine -Machine $live[0])
            Set-OomTask -Machine $copies[0] -Pid 10 -OomScoreAdj 500 -Confirm:$false
            (Get-OomTask -Machine $live[0] -Pid 10).OomScoreAdj.Value | Should -Be 0
        }

        It 'refuses an object that is not a machine and has no Json (InvalidArgument)' {
            [pscustomobject]@{ Name = 'x' } | Import-OomMachine -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ImportOomMachineCommand'
        }
    }

    Context 'bad input' {
        It 'refuses /dev/zero at once with NotText (InvalidData), naming the path' -Skip:(-not (Test-Path /dev/zero)) {
            $out = Import-OomMachine -LiteralPath /dev/zero -ErrorVariable ev -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'NotText,OomTools.Commands.ImportOomMachineCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $ev[0].Exception.Message | Should -BeLike "'/dev/zero' holds a NUL character at character 0*"
        }

        It 'refuses a machine file with a NUL byte in it (NotText)' {
            $path = Join-Path $dir 'nul.json'
            [System.IO.File]::WriteAllText($path, $json.Insert(10, [string][char]0))
            Import-OomMachine -LiteralPath $path -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be 'NotText,OomTools.Commands.ImportOomMachineCommand'
            $ev[0].Exception.Message | Should -BeLike "'$path'*character 10*"
        }

        It 'refuses a newer schema version with InvalidArgument, naming the version' {
            $v2 = $json.Replace('"oomtools.machine/v1"', '"oomtools.machine/v2"')
            Import-OomMachine -Json $v2 -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ImportOomMachineCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $ev[0].Exception.Message | Should -Match "schema version 'oomtools\.machine/v2'"
            $ev[0].Exception.Message | Should -Match 'oomtools\.machine/v1'
        }

        It 'names the file in the message of a refused file' {
            $path = Join-Path $dir 'v9.json'
            Set-Content -LiteralPath $path -Value '{"schema": "oomtools.machine/v9"}'
            Import-OomMachine -LiteralPath $path -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ImportOomMachineCommand'
            "$($ev[0])" | Should -BeLike "$path*oomtools.machine/v9*"
        }

        It 'refuses text that is not JSON with InvalidFormat, naming the line and column' {
            Import-OomMachine -Json "{`n  `"schema`": oops }" -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidFormat,OomTools.Commands.ImportOomMachineCommand'
            $ev[0].Exception.Message | Should -Match 'line 2, column 13'
        }

        It 'refuses JSON that is not a machine (no schema) with InvalidArgument' {
            Import-OomMachine -Json '{"name": "x"}' -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ImportOomMachineCommand'
        }

        It 'keeps the engine''s own error for an impossible machine (DuplicatePid)' {
            $dup = '{"schema": "oomtools.machine/v1", "ramPages": 1000, "tasks": [{"pid": 5, "comm": "a"}, {"pid": 5, "comm": "b"}]}'
            Import-OomMachine -Json $dup -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'DuplicatePid,OomTools.Commands.ImportOomMachineCommand'
        }

        It 'reports a missing file (FileNotFound) and goes on with the others' {
            $path = Join-Path $dir 'ok.json'
            Export-OomMachine -Machine $m -Path $path
            $out = Import-OomMachine -LiteralPath (Join-Path $dir 'missing.json'), $path -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,OomTools.Commands.ImportOomMachineCommand'
            @($out).Count | Should -Be 1
        }
    }
}
