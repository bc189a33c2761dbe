# The argument completers (src/OomTools/Completers): they complete from the machine given as -Machine, else from
# the session's current machine (issue 11), and offer nothing with neither. Module.Meta.Tests.ps1 checks that every
# -Pid, -Name and -Cgroup has one.
BeforeAll {
    . $PSScriptRoot/common.ps1
    function Clear-CurrentMachine { Remove-Variable -Name OomCurrentMachine -Scope Global -ErrorAction Ignore }

    function Complete([type]$Completer, [string]$Parameter, [string]$Word, $Machine) {
        $bound = @{}
        if ($Machine) { $bound['Machine'] = $Machine }
        @($Completer::new().CompleteArgument('Get-OomTask', $Parameter, $Word, $null, $bound))
    }
}

Describe 'The argument completers' {
    BeforeAll {
        # Two processes of one name, a name with a space and a login shell's "-bash".
        $m = New-OomMachine
        foreach ($path in '/db', '/db/replica', '/desktop') { $null = New-OomCgroup -Machine $m -Path $path }
        $tasks = @(
            @{ Pid = 1; Name = 'systemd' }
            @{ Pid = 300; Name = 'postgres'; Cgroup = '/db' }
            @{ Pid = 310; Name = 'postgres'; Cgroup = '/db/replica' }
            @{ Pid = 200; Name = 'Web Content'; Cgroup = '/desktop' }
            @{ Pid = 400; Name = '-bash' }
        )
        foreach ($t in $tasks) { Add-OomTask -Machine $m @t -AnonRss 64MB }
    }

    Context 'TaskNameCompleter (-Name)' {
        It 'offers each process name once, in task-list order' {
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name '' $m | ForEach-Object ListItemText) |
                Should -Be @('systemd', 'postgres', 'Web Content', '-bash')
        }

        It 'matches the typed prefix, ignoring case and the quote typed so far' {
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name 'PO' $m | ForEach-Object CompletionText) | Should -Be @('postgres')
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name "'we" $m | ForEach-Object CompletionText) | Should -Be @("'Web Content'")
        }

        It 'quotes a name the parser would split or read as a parameter' {
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name '-' $m | ForEach-Object CompletionText) | Should -Be @("'-bash'")
        }

        It 'offers nothing without -Machine when the session has no current machine' {
            Clear-CurrentMachine
            Complete ([OomTools.Completers.TaskNameCompleter]) Name '' $null | Should -BeNullOrEmpty
        }
    }

    Context 'PidCompleter (-Pid) and CgroupPathCompleter (-Cgroup)' {
        It 'offers the pids that start with the typed digits' {
            @(Complete ([OomTools.Completers.PidCompleter]) Pid '3' $m | ForEach-Object CompletionText) | Should -Be @('300', '310')
        }

        It 'offers the cgroup paths that start with the typed text' {
            @(Complete ([OomTools.Completers.CgroupPathCompleter]) Cgroup '/d' $m | ForEach-Object CompletionText) | Should -Be @('/db', '/db/replica', '/desktop')
        }

        It 'offers nothing without -Machine when the session has no current machine' {
            Clear-CurrentMachine
            Complete ([OomTools.Completers.PidCompleter]) Pid '' $null | Should -BeNullOrEmpty
            Complete ([OomTools.Completers.CgroupPathCompleter]) Cgroup '' $null | Should -BeNullOrEmpty
        }
    }

    Context 'in a command line (TabExpansion2)' {
        It 'completes <Line>' -ForEach @(
            @{ Line = 'Get-OomTask -Machine $m -Name pos'; Expected = 'postgres' }
            @{ Line = 'Test-OomProtection -Machine $m -Name sys'; Expected = 'systemd' }
            @{ Line = 'Get-OomBadness -Machine $m -Pid 20'; Expected = '200' }
            @{ Line = 'Get-OomTask -Machine $m -Cgroup /des'; Expected = '/desktop' }
        ) {
            $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
            @($result.CompletionMatches | ForEach-Object CompletionText) | Should -Be @($Expected)
        }
    }

    Context 'without -Machine: from the current machine (issue 11)' {
        BeforeAll {
            # Another machine is made after $m, so $m is current only once Set-OomCurrentMachine says so.
            $other = New-OomMachine -Name other
            Add-OomTask -Machine $other -Pid 77 -Name otherproc
            Set-OomCurrentMachine $m
        }
        AfterAll { Clear-CurrentMachine }

        It 'completes <Line>' -ForEach @(
            @{ Line = 'Get-OomTask -Name pos'; Expected = @('postgres') }
            @{ Line = 'Set-OomTask -Name sys'; Expected = @('systemd') }
            @{ Line = 'Test-OomProtection -Name Web'; Expected = @("'Web Content'") }
            @{ Line = 'Get-OomBadness -Pid 3'; Expected = @('300', '310') }
            @{ Line = 'Remove-OomTask -Pid 4'; Expected = @('400') }
            @{ Line = 'Get-OomTask -Cgroup /db'; Expected = @('/db', '/db/replica') }
            @{ Line = 'Invoke-OutOfMemory -Cgroup /des'; Expected = @('/desktop') }
            @{ Line = 'Add-OomTask -Name x -Cgroup /db/r'; Expected = @('/db/replica') }
        ) {
            $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
            @($result.CompletionMatches | ForEach-Object CompletionText) | Should -Be $Expected
        }

        It 'shows each pid with its process name, and its cgroup in the tooltip' {
            $line = 'Get-OomTask -Pid 31'
            $match = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
            $match.Count | Should -Be 1
            $match[0].CompletionText | Should -Be '310'
            $match[0].ListItemText | Should -Be '310 postgres'
            $match[0].ToolTip | Should -Be '310 (postgres) in /db/replica'
        }

        It 'still prefers the machine given as -Machine' {
            $line = 'Get-OomTask -Machine $other -Pid '
            @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText) | Should -Be @('77')
        }

        It 'follows the current machine as it changes' {
            Set-OomCurrentMachine $other
            try {
                $line = 'Get-OomTask -Name '
                @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText) | Should -Be @('otherproc')
            }
            finally { Set-OomCurrentMachine $m }
        }

        It 'offers nothing in a session with no current machine' {
            Clear-CurrentMachine
            try {
                $line = 'Get-OomTask -Name '
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | Should -BeNullOrEmpty
            }
            finally { Set-OomCurrentMachine $m }
        }
    }
}
