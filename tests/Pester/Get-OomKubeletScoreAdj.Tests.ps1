BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Get-OomKubeletScoreAdj' {

    Context 'the kubelet''s formula (pkg/kubelet/qos/policy.go)' {
        It 'Guaranteed is -997' {
            (Get-OomKubeletScoreAdj -QosClass Guaranteed -MemoryRequest 4GB -MemoryCapacity 16GB).OomScoreAdj | Should -Be -997
        }

        It 'BestEffort is 1000' {
            (Get-OomKubeletScoreAdj -QosClass BestEffort -MemoryCapacity 16GB).OomScoreAdj | Should -Be 1000
        }

        It 'a node-critical pod is -997 whatever its class' {
            (Get-OomKubeletScoreAdj -QosClass BestEffort -MemoryCapacity 16GB -NodeCritical).OomScoreAdj | Should -Be -997
            (Get-OomKubeletScoreAdj -QosClass Burstable -MemoryRequest 1GB -MemoryCapacity 16GB -NodeCritical).OomScoreAdj | Should -Be -997
        }

        It 'Burstable stays in 3..999 past the 64-bit product (GetContainerOOMScoreAdjust''s 1000 * request)' {
            (Get-OomKubeletScoreAdj -QosClass Burstable -MemoryRequest 10PB -MemoryCapacity 20PB).OomScoreAdj | Should -Be 500
            (Get-OomKubeletScoreAdj -QosClass Burstable -MemoryRequest ([long]::MaxValue) -MemoryCapacity 1).OomScoreAdj | Should -Be 3
        }

        It 'Burstable, <Request> bytes on a 16 GiB node, is <Expected>' -ForEach @(
            @{ Request = 2GB; Expected = 875 }              # 1000 - 2000/16 = 1000 - 125
            @{ Request = 1GB; Expected = 938 }              # 1000/16 = 62.5 -> 62
            @{ Request = 8GB; Expected = 500 }
            @{ Request = 0; Expected = 999 }                # 1000 would tie BestEffort
            @{ Request = 17128329577; Expected = 3 }        # 99.7 %: 1000 - 997
            @{ Request = 16GB; Expected = 3 }               # 0, raised to 3
            @{ Request = 32GB; Expected = 3 }               # -1000, raised to 3
        ) {
            (Get-OomKubeletScoreAdj Burstable $Request -MemoryCapacity 16GB).OomScoreAdj | Should -Be $Expected
        }
    }

    Context 'input and output' {
        It 'returns what it was asked with the answer' {
            $k = Get-OomKubeletScoreAdj -QosClass Burstable -MemoryRequest 2GB -MemoryCapacity 16GB
            $k | Should -BeOfType ([OomTools.Commands.KubeletScoreAdj])
            $k.QosClass | Should -Be 'Burstable'
            $k.MemoryRequest | Should -Be 2147483648
            $k.MemoryCapacity | Should -Be 17179869184
            $k.NodeCritical | Should -BeFalse
        }

        It 'takes pods from the pipeline by property name' {
            $pods = @(
                [pscustomobject]@{ QosClass = 'Guaranteed'; MemoryRequest = 4GB; MemoryCapacity = 16GB }
                [pscustomobject]@{ QosClass = 'Burstable'; MemoryRequest = 2GB; MemoryCapacity = 16GB }
                [pscustomobject]@{ QosClass = 'BestEffort'; MemoryRequest = 0; MemoryCapacity = 16GB }
                [pscustomobject]@{ QosClass = 'Burstable'; MemoryRequest = 1GB; MemoryCapacity = 16GB; NodeCritical = $true }
            )
            @(($pods | Get-OomKubeletScoreAdj).OomScoreAdj) | Should -Be @(-997, 875, 1000, -997)
        }

        It 'feeds Add-OomTask: a Burstable container''s points on a 16GB node' {
            $m = New-OomMachine -Memory 16GB
            $adj = (Get-OomKubeletScoreAdj Burstable 2GB -MemoryCapacity 16GB).OomScoreAdj
            Add-OomTask -Machine $m -Pid 10 -Name app -Rss 1GB -OomScoreAdj $adj
            # 262144 + 875 * 4194 = 3931894
            (Get-OomBadness -Machine $m -Pid 10).Points | Should -Be 3931894
        }
    }

    Context 'errors' {
        It 'needs a positive capacity' {
            { Get-OomKubeletScoreAdj Burstable 1GB -MemoryCapacity 0 } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.GetOomKubeletScoreAdjCommand'
        }

        It 'refuses a negative request' {
            { Get-OomKubeletScoreAdj Burstable -1 -MemoryCapacity 16GB } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.GetOomKubeletScoreAdjCommand'
        }

        It 'knows only the three QoS classes' {
            { Get-OomKubeletScoreAdj Gold -MemoryCapacity 16GB } |
                Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,OomTools.Commands.GetOomKubeletScoreAdjCommand'
        }
    }
}
