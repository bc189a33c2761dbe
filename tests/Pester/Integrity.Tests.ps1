# Issue 10 ("bad input"): every refusal is an ErrorRecord with a stable id, a call that fails changes nothing,
# values are checked against what a kernel can hold. Cmdlet-specific cases live in each cmdlet's file too.
BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-TestBox {
        $m = New-OomMachine -Name box -Memory 4GB -Swap 1GB
        $null = New-OomCgroup -Machine $m -Path /app
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 10MB
        Add-OomTask -Machine $m -Pid 100 -Name web -Rss 1GB
        Add-OomTask -Machine $m -Pid 200 -Name db -Rss 500MB -Cgroup /app -OomScoreAdj -1000
        Add-OomTask -Machine $m -Pid 300 -Name kworker -KernelThread
        $m
    }

    # The errors a call wrote, from -ErrorVariable, as FullyQualifiedErrorIds.
    function Get-ErrorIds($errs) { @($errs | ForEach-Object FullyQualifiedErrorId) }

    # Runs a call on a machine, its non-terminating errors collected (whatever the run's $ErrorActionPreference).
    function Invoke-Collecting([scriptblock]$Call, $Machine) {
        $ErrorActionPreference = 'Continue'
        $all = @(& $Call $Machine 2>&1)
        [pscustomobject]@{
            Errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Output = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        }
    }
}

Describe 'A -Name pattern that does not parse is InvalidNamePattern (issue 10, case 10)' {
    BeforeEach { $m = New-TestBox }

    It '<Cmd> -Name ''['' writes InvalidNamePattern and changes nothing' -ForEach @(
        @{ Cmd = 'Get-OomTask'; Call = { param($m) Get-OomTask -Machine $m -Name '[' } }
        @{ Cmd = 'Set-OomTask'; Call = { param($m) Set-OomTask -Machine $m -Name '[' -OomScoreAdj 5 } }
        @{ Cmd = 'Remove-OomTask'; Call = { param($m) Remove-OomTask -Machine $m -Name '[' } }
        @{ Cmd = 'Get-OomBadness'; Call = { param($m) Get-OomBadness -Machine $m -Name '[' } }
        @{ Cmd = 'Test-OomProtection'; Call = { param($m) Test-OomProtection -Machine $m -Name '[' } }
        @{ Cmd = 'Export-OomAuditReport'; Call = { param($m) Export-OomAuditReport -Machine $m -Critical '[' } }
    ) {
        $before = Get-OomMachineState $m
        $r = Invoke-Collecting $Call $m
        $errs = $r.Errors
        $out = $r.Output
        $class = ($Cmd -replace '-', '') + 'Command'
        (Get-ErrorIds $errs) | Should -Contain "InvalidNamePattern,OomTools.Commands.$class"
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-OomMachineState $m | Should -Be $before
        if ($Cmd -ne 'Export-OomAuditReport') { $out | Should -BeNullOrEmpty }
    }

    It 'stops with -ErrorAction Stop, with the same id' {
        { Get-OomTask -Machine $m -Name 'web[' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidNamePattern,OomTools.Commands.GetOomTaskCommand'
    }
}

Describe 'Unknown pids and a failing notifier are errors with stable ids (issue 10, case 10)' {
    BeforeEach { $m = New-TestBox }

    It 'Get-OomBadness -Current 9999 is TaskNotFound, as Invoke-OutOfMemory says it' {
        { Invoke-OutOfMemory -Machine $m -Current 9999 -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.InvokeOutOfMemoryCommand'
        { Get-OomBadness -Machine $m -Current 9999 -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.GetOomBadnessCommand'
        { Get-OomKillOrder -Machine $m -Current 9999 -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.GetOomKillOrderCommand'
        { Test-OomProtection -Machine $m -Name web -Current 9999 -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.TestOomProtectionCommand'
    }

    It 'Get-OomBadness -Pid 99999 is TaskNotFound naming the pid, not silence' {
        $errs = $null
        $out = Get-OomBadness -Machine $m -Pid 100, 99999 -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        (Get-ErrorIds $errs) | Should -Be @('TaskNotFound,OomTools.Commands.GetOomBadnessCommand')
        $errs[0].Exception.Message | Should -BeLike '*99999*'
        @(Get-OomBadness -Machine $m -Current 100 -Pid 100).Pid | Should -Be @(100)
    }

    It 'a notifier whose script throws is NotifierFailed naming it; the OOM kills nothing' {
        $null = Register-OomNotifier -Machine $m -ScriptBlock { throw 'balloon driver gone' } -Name balloon
        $before = Get-OomMachineState $m
        $errs = $null
        $out = Invoke-OutOfMemory -Machine $m -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        (Get-ErrorIds $errs) | Should -Be @('NotifierFailed,OomTools.Commands.InvokeOutOfMemoryCommand')
        $errs[0].CategoryInfo.Category | Should -Be 'OperationStopped'
        $errs[0].Exception.Message | Should -BeLike "*'balloon'*balloon driver gone*"
        Get-OomMachineState $m | Should -Be $before
    }
}

Describe 'A call with several values changes all or none (issue 10, case 4)' {
    BeforeEach {
        $m = New-TestBox
        $before = Get-OomMachineState $m
        $json = Export-OomMachine -Machine $m
    }

    It '<Label> changes nothing and writes <Id>' -ForEach @(
        @{ Label = 'Set-OomTask -Pid 100,9999'; Id = 'TaskNotFound,OomTools.Commands.SetOomTaskCommand'
            Call = { param($m) Set-OomTask -Machine $m -Pid 100, 9999 -OomScoreAdj 500 -AnonRss 2MB } }
        @{ Label = 'Set-OomTask -Pid 100,300 -AnonRss (300 is a kernel thread, no mm)'; Id = 'InvalidState,OomTools.Commands.SetOomTaskCommand'
            Call = { param($m) Set-OomTask -Machine $m -Pid 100, 300 -AnonRss 2MB } }
        @{ Label = 'Set-OomTask -InputObject good,foreign'; Id = 'TaskNotFound,OomTools.Commands.SetOomTaskCommand'
            Call = { param($m) $o = New-OomMachine -Name other; Add-OomTask -Machine $o -Pid 500; Set-OomTask -Machine $m -InputObject $m.FindTask(100), $o.FindTask(500) -OomScoreAdj 9 } }
        @{ Label = 'Remove-OomTask -Pid 100,9999'; Id = 'TaskNotFound,OomTools.Commands.RemoveOomTaskCommand'
            Call = { param($m) Remove-OomTask -Machine $m -Pid 100, 9999 } }
        @{ Label = 'Remove-OomTask -Name web,nosuch'; Id = 'TaskNotFound,OomTools.Commands.RemoveOomTaskCommand'
            Call = { param($m) Remove-OomTask -Machine $m -Name web, nosuch } }
        @{ Label = 'Remove-OomTask -InputObject good,foreign'; Id = 'TaskNotFound,OomTools.Commands.RemoveOomTaskCommand'
            Call = { param($m) $o = New-OomMachine -Name other; Add-OomTask -Machine $o -Pid 500; Remove-OomTask -Machine $m -InputObject $m.FindTask(100), $o.FindTask(500) } }
        @{ Label = 'Set-OomScoreAdj -Pid 100,9999'; Id = 'TaskNotFound,OomTools.Commands.SetOomScoreAdjCommand'
            Call = { param($m) Set-OomScoreAdj -Machine $m -Pid 100, 9999 -Value 300 } }
        @{ Label = 'Set-OomScoreAdj -Pid 100,200 below 200''s oom_score_adj_min'; Id = 'EACCES,OomTools.Commands.SetOomScoreAdjCommand'
            Call = { param($m) Set-OomScoreAdj -Machine $m -Pid 100, 200 -OomAdj -16 } }
    ) {
        $errs = (Invoke-Collecting $Call $m).Errors
        (Get-ErrorIds $errs) | Should -Contain $Id
        Get-OomMachineState $m | Should -Be $before
        Export-OomMachine -Machine $m | Should -Be $json
    }

    It 'the same call with good values changes every one' {
        Set-OomTask -Machine $m -Pid 100, 1 -OomScoreAdj 5
        @($m.FindTask(100), $m.FindTask(1) | ForEach-Object { [int]$_.OomScoreAdj }) | Should -Be @(5, 5)
        Remove-OomTask -Machine $m -Pid 100, 200
        @($m.Tasks | ForEach-Object Pid) | Should -Be @(1, 300)
    }
}

Describe 'Values a kernel cannot hold are refused (issue 10, case 9)' {
    BeforeEach {
        $m = New-OomMachine -Name small -Memory 1GB
        $before = Get-OomMachineState $m
    }

    It '<Label> is InvalidArgument and adds nothing' -ForEach @(
        @{ Label = '-Pid 2147483647 -Threads 5'; Call = { param($m) Add-OomTask -Machine $m -Pid 2147483647 -Threads 5 } }
        @{ Label = '-Pid 4194305 (above PID_MAX_LIMIT)'; Call = { param($m) Add-OomTask -Machine $m -Pid 4194305 } }
        @{ Label = '-Pid 4194304 -Threads 2 (tid above PID_MAX_LIMIT)'; Call = { param($m) Add-OomTask -Machine $m -Pid 4194304 -Threads 2 } }
        @{ Label = '-AnonPages 2^62 on a 1 GB machine'; Call = { param($m) Add-OomTask -Machine $m -Pid 10 -AnonPages ([long]1 -shl 62) } }
        @{ Label = '-Swap 8EB'; Call = { param($m) Add-OomTask -Machine $m -Pid 10 -Swap ([long]::MaxValue) } }
        @{ Label = '-PageTableBytes long.MaxValue'; Call = { param($m) Add-OomTask -Machine $m -Pid 10 -PageTableBytes ([long]::MaxValue) } }
    ) {
        $errs = (Invoke-Collecting $Call $m).Errors
        (Get-ErrorIds $errs) | Should -Be @('InvalidArgument,OomTools.Commands.AddOomTaskCommand')
        Get-OomMachineState $m | Should -Be $before
    }

    It 'a huge Set-OomTask size is refused and the score stays right' {
        Add-OomTask -Machine $m -Pid 10 -Name small -Rss 10MB
        Add-OomTask -Machine $m -Pid 20 -Name big -Rss 100MB
        $before = Get-OomMachineState $m
        { Set-OomTask -Machine $m -Pid 10 -AnonPages ([long]1 -shl 62) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomTaskCommand'
        Get-OomMachineState $m | Should -Be $before
        (Invoke-OutOfMemory -Machine $m -WhatIf).Victim.Pid | Should -Be 20
    }

    It 'New-OomMachine above 4 PiB of RAM is InvalidArgument' {
        { New-OomMachine -Memory ([long]::MaxValue) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.NewOomMachineCommand'
    }
}

Describe 'Piped rows whose cells do not convert are errors, never defaults (issue 10, case 8)' {
    It 'New-OomMachine: Memory=lots is InvalidPropertyValue, not a 16 GB machine' {
        $rows = 'Name,Memory', 'a,1073741824', 'b,lots', 'c,2147483648' | ConvertFrom-Csv
        $r = Invoke-Collecting { param($rows) $rows | New-OomMachine } $rows
        @($r.Output | ForEach-Object Name) | Should -Be @('a', 'c')
        (Get-ErrorIds $r.Errors) | Should -Be @('InvalidPropertyValue,OomTools.Commands.NewOomMachineCommand')
        $r.Errors[0].Exception.Message | Should -BeLike "row 2 (name 'b'): Memory 'lots' *"
    }

    It 'New-OomCgroup: MemoryMax=lots is InvalidPropertyValue, not an unlimited cgroup' {
        $m = New-OomMachine
        $rows = 'Path,MemoryMax', '/a,1073741824', '/b,lots' | ConvertFrom-Csv
        $r = Invoke-Collecting { param($rows) $rows | New-OomCgroup -Machine $m } $rows
        @($m.Cgroups | ForEach-Object Path) | Should -Be @('/', '/a')
        (Get-ErrorIds $r.Errors) | Should -Be @('InvalidPropertyValue,OomTools.Commands.NewOomCgroupCommand')
        $r.Errors[0].Exception.Message | Should -BeLike "row 2 (path '/b'): MemoryMax 'lots' *"
        '/c', '/d' | New-OomCgroup -Machine $m | ForEach-Object Path | Should -Be @('/c', '/d')
    }

    It 'Get-OomKubeletScoreAdj: MemoryRequest=lots is InvalidPropertyValue, not 999' {
        $rows = 'QosClass,MemoryRequest,MemoryCapacity', 'Burstable,lots,17179869184', 'Burstable,2147483648,17179869184' | ConvertFrom-Csv
        $r = Invoke-Collecting { param($rows) $rows | Get-OomKubeletScoreAdj } $rows
        @($r.Output | ForEach-Object OomScoreAdj) | Should -Be @(875)
        (Get-ErrorIds $r.Errors) | Should -Be @('InvalidPropertyValue,OomTools.Commands.GetOomKubeletScoreAdjCommand')
        $r.Errors[0].Exception.Message | Should -BeLike "row 1: MemoryRequest 'lots' *"
    }
}
