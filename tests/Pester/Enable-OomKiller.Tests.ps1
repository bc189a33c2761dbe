BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Enable-OomKiller' {
    BeforeEach {
        $m = New-OomMachine -Name box -Memory 4GB
        Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 1GB
        Disable-OomKiller -Machine $m | Should -BeTrue
    }

    It 'enables the killer again and logs "OOM killer enabled."' {
        Enable-OomKiller -Machine $m | Should -BeNullOrEmpty
        $m.OomKillerDisabled | Should -BeFalse
        (Get-OomLog -Machine $m -Tail 2).Text | Should -Be @('OOM killer disabled.', 'OOM killer enabled.')
        (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
    }

    It 'returns the machine with -PassThru' {
        $r = Enable-OomKiller -Machine $m -PassThru
        $r | Should -BeOfType ([OomTools.Engine.Model.OomMachine])
        [object]::ReferenceEquals($r, $m) | Should -BeTrue
    }

    It 'takes the machine from the pipeline' {
        $m | Enable-OomKiller
        $m.OomKillerDisabled | Should -BeFalse
    }

    It 'logs again when the killer was not disabled, as oom_killer_enable does' {
        Enable-OomKiller -Machine $m
        Enable-OomKiller -Machine $m
        @((Get-OomLog -Machine $m).Text | Where-Object { $_ -eq 'OOM killer enabled.' }).Count | Should -Be 2
    }

    It '-WhatIf leaves the killer disabled' {
        Enable-OomKiller -Machine $m -WhatIf
        $m.OomKillerDisabled | Should -BeTrue
        (Get-OomLog -Machine $m -Tail 1).Text | Should -Be 'OOM killer disabled.'
    }
}
