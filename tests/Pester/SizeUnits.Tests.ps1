# Size parameters take bytes (PowerShell's 512MB) and text with a binary unit ('512M', '6GiB', '4k', '1.5G'); a bare
# number too small for what it measures is a warning naming the likely unit; text that is not a size is an error
# naming it. Expected pages worked out by hand (4096-byte pages: 1M = 256 pages, 1G = 262144 pages).
BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Size parameters with units' {
    BeforeEach {
        $m = New-OomMachine -Name box -Memory 16GB -Swap 2GB
    }

    Context 'text with a unit binds as binary multiples' {
        It 'Add-OomTask -Rss <Text> is <Pages> pages' -ForEach @(
            @{ Text = '512M'; Pages = 131072 }
            @{ Text = '512MiB'; Pages = 131072 }
            @{ Text = '512MB'; Pages = 131072 }
            @{ Text = '6GiB'; Pages = 1572864 }
            @{ Text = '4k'; Pages = 1 }
            @{ Text = '1.5G'; Pages = 393216 }
            @{ Text = '1.8 MiB'; Pages = 461 }   # 1887436.8 bytes: 1887437 bytes, 460.8 pages rounded up
            @{ Text = '8192'; Pages = 2 }
        ) {
            $t = Add-OomTask -Machine $m -Pid 10 -Name a -Rss $Text -PassThru
            $t.AnonPages.Value | Should -Be $Pages
        }

        It 'takes PowerShell''s numbers: 1.5GB (a double) and 512MB (an int)' {
            (Add-OomTask -Machine $m -Pid 10 -Name a -Rss 1.5GB -FileRss 512MB -PassThru).AnonPages.Value | Should -Be 393216
            $m.FindTask(10).FilePages.Value | Should -Be 131072
        }

        It 'Add-OomTask and Set-OomTask take every size with a unit' {
            Add-OomTask -Machine $m -Pid 10 -Name a -Rss '1G' -FileRss '4M' -ShmemRss '8M' -Swap '2M' -VirtualSize '2G' -PageTableBytes '16k'
            $t = $m.FindTask(10)
            @($t.AnonPages.Value, $t.FilePages.Value, $t.ShmemPages.Value, $t.SwapEntries.Value, $t.TotalVm.Value, $t.PageTableBytes) |
                Should -Be @(262144, 1024, 2048, 512, 524288, 16384)
            Set-OomTask -Machine $m -Pid 10 -AnonRss '2G' -Swap '1M' -PageTableBytes '8k'
            @($t.AnonPages.Value, $t.SwapEntries.Value, $t.PageTableBytes) | Should -Be @(524288, 256, 8192)
        }

        It 'New-OomMachine -Memory ''16G'' -Swap ''2GiB'', and -NumaNodeMemory ''1G'', ''3G''' {
            $n = New-OomMachine -Memory '16G' -Swap '2GiB'
            $n.TotalRamPages.Value | Should -Be 4194304
            $n.TotalSwapPages.Value | Should -Be 524288
            (New-OomMachine -NumaNodeMemory '1G', 3GB).TotalRamPages.Value | Should -Be 1048576
        }

        It 'New-OomCgroup -MemoryMax ''512M'' -SwapMax ''1G'', Set-OomCgroup -MemoryMax ''1G''' {
            $cg = New-OomCgroup -Machine $m -Path /app -MemoryMax '512M' -SwapMax '1G'
            $cg.MemoryMax.Value | Should -Be 131072
            $cg.SwapMax.Value | Should -Be 262144
            Set-OomCgroup -Machine $m -Cgroup /app -MemoryMax '1G' | Out-Null
            $cg.MemoryMax.Value | Should -Be 262144
        }

        It 'Invoke-OomAllocation -Size ''1M'' -Rate ''50M'', Get-OomKillOrder -Free ''1G''' {
            Add-OomTask -Machine $m -Pid 10 -Name a -Rss 1GB
            Add-OomTask -Machine $m -Pid 11 -Name b -Rss 2GB
            $e = @(Invoke-OomAllocation -Machine $m -Pid 10 -Size '1M' -Rate '50M' -Detail)
            ($e | Measure-Object Pages -Sum).Sum | Should -Be 256
            $e[0].Pages | Should -Be 102      # 50M/s = 12800 pages/s, a tick of 2 jiffies at HZ 250: 102 pages
            @(Get-OomKillOrder -Machine $m -Free '2G').Count | Should -Be 1
        }

        It 'Get-OomKubeletScoreAdj reads ''2Gi'' and ''16Gi'' as 2GB and 16GB' {
            (Get-OomKubeletScoreAdj Burstable '2Gi' -MemoryCapacity '16Gi').OomScoreAdj |
                Should -Be (Get-OomKubeletScoreAdj Burstable 2GB -MemoryCapacity 16GB).OomScoreAdj
            (Get-OomKubeletScoreAdj Burstable '2Gi' -MemoryCapacity '16Gi').MemoryRequest | Should -Be 2147483648
        }

        It 'a piped row''s cells may carry units (Import-Csv)' {
            $rows = "Pid,Name,AnonRss,Swap`n20,web,512M,1G`n21,db,2GiB,0" | ConvertFrom-Csv
            $rows | Add-OomTask -Machine $m
            $m.FindTask(20).AnonPages.Value | Should -Be 131072
            $m.FindTask(20).SwapEntries.Value | Should -Be 262144
            $m.FindTask(21).AnonPages.Value | Should -Be 524288
        }

        It 'Import-Csv machines.csv | New-OomMachine: one machine per row, sizes with units' {
            $made = @("Name,Memory,Swap`nweb01,8G,1G`ndb01,64GiB,0" | ConvertFrom-Csv | New-OomMachine)
            @($made.Name) | Should -Be @('web01', 'db01')
            @($made | ForEach-Object { $_.TotalRamPages.Value }) | Should -Be @(2097152, 16777216)
            $made[0].TotalSwapPages.Value | Should -Be 262144
        }

        It 'still copies tasks between machines by their page counts' {
            Add-OomTask -Machine $m -Pid 10 -Name a -Rss '1G' -PageTableBytes 8192
            $other = New-OomMachine -Memory 8GB
            Get-OomTask -Machine $m | Add-OomTask -Machine $other -WarningVariable w -WarningAction SilentlyContinue
            $other.FindTask(10).AnonPages.Value | Should -Be 262144
            $other.FindTask(10).PageTableBytes | Should -Be 8192
            $w | Should -BeNullOrEmpty
        }
    }

    Context 'a bare number too small for its parameter is a warning naming the likely unit' {
        It '-Rss 6 is 6 bytes, less than a page: did you mean 6MB? (and 6 bytes is used)' {
            $t = Add-OomTask -Machine $m -Pid 10 -Name a -Rss 6 -PassThru -WarningVariable w -WarningAction SilentlyContinue
            @($w).Count | Should -Be 1
            "$w" | Should -BeLike '-AnonRss 6 is 6 bytes, less than a page (4096 bytes): did you mean 6MB?*'
            $t.AnonPages.Value | Should -Be 1
        }

        It '-Memory 16 is 16 bytes, less than 1 MiB: did you mean 16GB?' {
            $n = New-OomMachine -Memory 16 -WarningVariable w -WarningAction SilentlyContinue
            "$w" | Should -BeLike '-Memory 16 is 16 bytes, less than 1 MiB: did you mean 16GB?*'
            $n.TotalRamPages.Value | Should -Be 1
        }

        It '-MemoryMax 512 is 512 bytes: did you mean 512MB?' {
            New-OomCgroup -Machine $m -Path /app -MemoryMax 512 -WarningVariable w -WarningAction SilentlyContinue | Out-Null
            "$w" | Should -BeLike '-MemoryMax 512 is 512 bytes, less than 1 MiB: did you mean 512MB?*'
        }

        It 'a piped row''s bare number warns too, from Set-OomTask, Invoke-OomAllocation, Get-OomKillOrder and the kubelet' {
            Add-OomTask -Machine $m -Pid 10 -Name a -Rss 1GB
            Set-OomTask -Machine $m -Pid 10 -Swap 100 -WarningVariable w1 -WarningAction SilentlyContinue
            Invoke-OomAllocation -Machine $m -Pid 10 -Size 2 -WarningVariable w2 -WarningAction SilentlyContinue | Out-Null
            Get-OomKillOrder -Machine $m -Free 3 -WarningVariable w3 -WarningAction SilentlyContinue | Out-Null
            Get-OomKubeletScoreAdj Burstable 2 -MemoryCapacity 16GB -WarningVariable w4 -WarningAction SilentlyContinue | Out-Null
            "$w1" | Should -BeLike '-Swap 100 is 100 bytes*did you mean 100MB?*'
            "$w2" | Should -BeLike '-Size 2 is 2 bytes*did you mean 2MB?*'
            "$w3" | Should -BeLike '-Free 3 is 3 bytes*did you mean 3MB?*'
            "$w4" | Should -BeLike '-MemoryRequest 2 is 2 bytes*did you mean 2MB?*'
            $rows = "Pid,Name,AnonRss`n20,web,5" | ConvertFrom-Csv
            $rows | Add-OomTask -Machine $m -WarningVariable w5 -WarningAction SilentlyContinue
            "$w5" | Should -BeLike '-AnonRss 5 is 5 bytes*'
        }

        It 'no warning for <Label>' -ForEach @(
            @{ Label = 'a size with a unit, even a small one (''6B'', ''1k'')'; Script = { Add-OomTask -Machine $m -Pid 10 -Rss '6B' -FileRss '1k' } }
            @{ Label = '0 (nothing)'; Script = { Add-OomTask -Machine $m -Pid 10 -Rss 0 -Swap 0 } }
            @{ Label = 'PowerShell''s 512MB'; Script = { Add-OomTask -Machine $m -Pid 10 -Rss 512MB } }
            @{ Label = 'a page or more'; Script = { Add-OomTask -Machine $m -Pid 10 -Rss 4096 } }
            @{ Label = '-PageTableBytes, bytes by its name'; Script = { Add-OomTask -Machine $m -Pid 10 -PageTableBytes 100 } }
            @{ Label = 'a 2MB machine'; Script = { New-OomMachine -Memory 2MB | Out-Null } }
        ) {
            $w = @(& $Script 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            $w.Count | Should -Be 0 -Because "$w"
        }
    }

    Context 'text that is not a size' {
        It '-Rss lots stops with an error naming the value, and adds nothing' {
            $before = Get-OomMachineState $m
            $err = { Add-OomTask -Machine $m -Pid 10 -Rss lots } |
                Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.Exception.Message | Should -BeLike "*'lots' is not a size*512M*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'New-OomMachine -Memory ''16 parsecs'' is refused the same way' {
            { New-OomMachine -Memory '16 parsecs' } |
                Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,OomTools.Commands.NewOomMachineCommand'
        }

        It 'a piped row with AnonRss=lots is refused (InvalidPropertyValue) and the other rows go on' {
            $rows = "Pid,Name,AnonRss`n20,web,512M`n21,db,lots" | ConvertFrom-Csv
            $rows | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidPropertyValue,OomTools.Commands.AddOomTaskCommand'
            $ev[0].Exception.Message | Should -BeLike "*AnonRss 'lots' is not a valid -AnonRss (a size*"
            $m.FindTask(20).AnonPages.Value | Should -Be 131072
            $m.FindTask(21) | Should -BeNullOrEmpty
        }

        It 'keeps the ranges: -Memory ''0M'' and -Size ''0k'' are ParameterArgumentValidationError' {
            { New-OomMachine -Memory '0M' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomMachineCommand'
            Add-OomTask -Machine $m -Pid 10 -Rss 1GB
            { Invoke-OomAllocation -Machine $m -Pid 10 -Size '0k' } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.InvokeOomAllocationCommand'
        }

        It 'a negative size with a unit is NegativeSize, as a negative number of bytes is' {
            Add-OomTask -Machine $m -Pid 10 -Rss '-1M' -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'NegativeSize,OomTools.Commands.AddOomTaskCommand'
        }
    }
}
