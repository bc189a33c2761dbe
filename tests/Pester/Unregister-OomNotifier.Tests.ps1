BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Unregister-OomNotifier' {
    BeforeEach {
        $m = New-OomMachine -Name box -Memory 4GB
        Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 1GB
        $reg = Register-OomNotifier -Machine $m -Pages 64
    }

    It 'removes the notifier: the next global OOM kills again' {
        Unregister-OomNotifier -InputObject $reg | Should -BeNullOrEmpty
        $m.OomNotifiers.Count | Should -Be 0
        (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
    }

    It 'takes the registration from the pipeline and by position' {
        $other = Register-OomNotifier -Machine $m -Pages 1
        $reg | Unregister-OomNotifier
        Unregister-OomNotifier $other
        $m.OomNotifiers.Count | Should -Be 0
    }

    It 'removes only the notifier it is given' {
        $other = Register-OomNotifier -Machine $m -Pages 36
        $reg | Unregister-OomNotifier
        (Invoke-OutOfMemory -Machine $m).Reason | Should -Be 'An OOM notifier freed 36 pages.'
    }

    It 'writes NotifierNotRegistered for a notifier that is not registered' {
        $reg | Unregister-OomNotifier
        $reg | Unregister-OomNotifier -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'NotifierNotRegistered,OomTools.Commands.UnregisterOomNotifierCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($ev[0])" | Should -Be "OOM notifier 'frees 64 pages' is not registered on 'box'."
    }

    It '-WhatIf leaves the notifier registered' {
        $reg | Unregister-OomNotifier -WhatIf
        $m.OomNotifiers.Count | Should -Be 1
        (Invoke-OutOfMemory -Machine $m).Killed | Should -BeNullOrEmpty
    }
}
