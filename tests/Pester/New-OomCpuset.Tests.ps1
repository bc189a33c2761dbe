BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'New-OomCpuset' {
    BeforeEach {
        # Two NUMA nodes of 2097152 pages each, 1GB (262144 pages) of swap.
        $m = New-OomMachine -Name box -NumaNodeCount 2 -Swap 1GB
    }

    Context 'creating a cpuset' {
        It 'creates a cpuset with its cpuset.mems and returns it' {
            $cs = New-OomCpuset -Machine $m -Path /db -Mems 1
            $cs | Should -BeOfType ([OomTools.Engine.Model.Cpuset])
            $cs.Path | Should -Be '/db'
            $cs.Name | Should -Be 'db'
            $cs.Mems.ToString() | Should -Be '1'
            $cs.Hardwall | Should -BeFalse
            $m.FindCpuset('/db') | Should -Be $cs
            $m.CpusetsEnabled | Should -BeTrue
        }

        It 'takes a node list with ranges and prints it back as the kernel does' {
            (New-OomCpuset -Machine $m -Path /all -Mems '0,1').Mems.ToString() | Should -Be '0-1'
        }

        It 'sets mem_hardwall with -Hardwall' {
            (New-OomCpuset -Machine $m -Path /hw -Mems 0 -Hardwall).Hardwall | Should -BeTrue
        }

        It 'creates a nested cpuset under an existing parent' {
            New-OomCpuset -Machine $m -Path /outer -Mems '0-1' | Out-Null
            $inner = New-OomCpuset -Machine $m -Path /outer/inner -Mems 0
            $inner.Path | Should -Be '/outer/inner'
            $inner.Parent.Path | Should -Be '/outer'
        }

        It 'constrains an OOM of a task in it to its nodes: CONSTRAINT_CPUSET, totalpages = swap + its nodes' {
            New-OomCpuset -Machine $m -Path /c0 -Mems 0 | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name pinned -AnonRss 1GB -Cpuset /c0
            $o = Invoke-OutOfMemory -Machine $m -Current 100 -WhatIf
            $o.Constraint | Should -Be 'Cpuset'
            $o.TotalPages.Value | Should -Be 2359296   # 262144 + 2097152
        }
    }

    Context '-WhatIf' {
        It 'creates nothing and writes nothing' {
            New-OomCpuset -Machine $m -Path /db -Mems 1 -WhatIf | Should -BeNullOrEmpty
            $m.FindCpuset('/db') | Should -BeNullOrEmpty
            $m.CpusetsEnabled | Should -BeFalse
        }
    }

    Context 'pipeline' {
        It 'binds Path, Mems and Hardwall by property name' {
            @(
                [pscustomobject]@{ Path = '/n0'; Mems = '0'; Hardwall = $true }
                [pscustomobject]@{ Path = '/n1'; Mems = '1' }
            ) | New-OomCpuset -Machine $m | Out-Null
            $m.FindCpuset('/n0').Hardwall | Should -BeTrue
            $m.FindCpuset('/n1').Mems.ToString() | Should -Be '1'
        }
    }

    Context 'errors' {
        BeforeEach {
            New-OomCpuset -Machine $m -Path /db -Mems 1 | Out-Null
            $before = Get-OomMachineState $m
        }

        It 'refuses a path that exists with CpusetExists (ResourceExists) and keeps the existing cpuset' {
            $err = { New-OomCpuset -Machine $m -Path /db -Mems 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'CpusetExists,OomTools.Commands.NewOomCpusetCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.Exception.Message | Should -BeLike "*'/db'*"
            $m.FindCpuset('/db').Mems.ToString() | Should -Be '1'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a cpuset whose parent does not exist with CpusetNotFound (ObjectNotFound)' {
            $err = { New-OomCpuset -Machine $m -Path /missing/child -Mems 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'CpusetNotFound,OomTools.Commands.NewOomCpusetCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/missing*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses cpuset.mems it cannot parse (<Mems>) with InvalidFormat, naming the text' -ForEach @(
            @{ Mems = 'zz' }
            @{ Mems = '1-0' }
            @{ Mems = '64' }
        ) {
            $err = { New-OomCpuset -Machine $m -Path /bad -Mems $Mems -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidFormat,OomTools.Commands.NewOomCpusetCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "*$Mems*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses nodes the machine does not have with InvalidArgument, naming them' {
            $err = { New-OomCpuset -Machine $m -Path /bad -Mems 2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.NewOomCpusetCommand' -PassThru
            $err.Exception.Message | Should -BeLike "*'2'*"
            Get-OomMachineState $m | Should -Be $before
        }
    }
}
